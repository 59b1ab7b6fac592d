import { addTagEvent } from './add-tag-event.ts';
import { isReferenceChange } from './generations.ts';
import { trackAliases } from './track-aliases.ts';
import type { StreamState, TagEvent, TagRecord, TagReference } from './types.ts';

export interface SpecTagContext {
  /** The stream generation this write creates (already bumped when the spec changed). */
  generation: number;
  now: string;
  actor: string;
  historyLimit: number;
  /** The source's current image for ImageStreamTag / ImageStreamImage sources; undefined when it has none. */
  sourceEvent?: TagEvent | undefined;
}

export interface SpecTagResult {
  /** The written tag first, then every alias that follows it. */
  changed: TagRecord[];
  /** The tag's history event when its current image changed. */
  event?: TagEvent;
  dropped: TagEvent[];
}

/**
 * Writes a spec tag into a stream (reference §3.1–3.4): a changed reference takes the new generation
 * and, for `reference` DockerImage and stream sources, a history event now; DockerImage sources wait
 * for import. Aliases of the tag follow.
 */
export function applySpecTag(state: StreamState, spec: TagReference, ctx: SpecTagContext): SpecTagResult {
  const { namespace, name: stream } = state.stream;
  const old = state.tags.find((t) => t.name === spec.name);
  const referenceChanged = isReferenceChange(old?.spec, spec, namespace);
  const generation = referenceChanged || old?.spec?.generation == null ? ctx.generation : old.spec.generation;
  let tag: TagRecord = {
    name: spec.name,
    spec: { ...spec, generation },
    items: old?.items ?? [],
    conditions: old?.conditions ?? [],
    version: old?.version ?? 0,
  };

  let event: TagEvent | undefined;
  const dropped: TagEvent[] = [];
  const candidate = referenceChanged ? eventFor(spec, ctx, generation) : undefined;
  if (candidate) {
    const result = addTagEvent(tag, candidate, ctx.historyLimit);
    tag = { ...tag, items: result.items, conditions: result.conditions };
    if (result.changed) event = result.items[0];
    dropped.push(...result.dropped);
  }

  const others = state.tags.filter((t) => t.name !== spec.name);
  const tracked = trackAliases([tag, ...others], namespace, stream, ctx.historyLimit);
  const self = tracked.tags.find((t) => t.name === spec.name) ?? tag;
  const changed = [self, ...tracked.changed.filter((t) => t.name !== spec.name)];
  return { changed, ...(event ? { event: self.items[0] } : {}), dropped: [...dropped, ...tracked.dropped] };
}

function eventFor(spec: TagReference, ctx: SpecTagContext, generation: number): TagEvent | undefined {
  const from = spec.from;
  if (!from) return undefined;
  if (from.kind === 'DockerImage') {
    return spec.reference
      ? { created: ctx.now, dockerImageReference: from.name, image: '', generation, actor: ctx.actor }
      : undefined;
  }
  const source = ctx.sourceEvent;
  return source
    ? {
        created: ctx.now,
        dockerImageReference: source.dockerImageReference,
        image: source.image,
        generation,
        actor: ctx.actor,
      }
    : undefined;
}
