import { actorOf, type Principal } from '../../access/principal.ts';
import { InvalidError, NotFoundError } from '../../errors.ts';
import { applySpecTag } from '../../streams/apply-spec-tag.ts';
import { findImageInHistory } from '../../streams/find-image.ts';
import { streamSourceOf } from '../../streams/source-references.ts';
import type { StreamState, TagEvent, TagReference } from '../../streams/types.ts';
import { timestamp } from '../../timestamp.ts';
import type { StreamPorts } from './stream-ports.ts';

/** Applies spec tags in order to an in-memory stream (no I/O), so a tag may copy one written just before it. */
export function planSpecTags(
  ports: Pick<StreamPorts, 'clock' | 'historyLimit'>,
  principal: Principal,
  state: StreamState,
  specs: TagReference[],
  generation: number,
  sources: Map<string, StreamState>,
): StreamState & { dropped: TagEvent[] } {
  let current = state;
  const dropped: TagEvent[] = [];
  for (const spec of specs) {
    const sourceEvent = sourceEventFor(current, spec, sources);
    const result = applySpecTag(current, spec, {
      generation,
      now: timestamp(ports.clock.now()),
      actor: actorOf(principal),
      historyLimit: ports.historyLimit,
      sourceEvent,
    });
    dropped.push(...result.dropped);
    const changed = new Map(result.changed.map((t) => [t.name, t]));
    current = { ...current, tags: [...current.tags.filter((t) => !changed.has(t.name)), ...changed.values()] };
  }
  return { ...current, dropped };
}

/** The current image of an ImageStreamTag / ImageStreamImage source: the stream itself, or one of the loaded sources. */
function sourceEventFor(
  state: StreamState,
  spec: TagReference,
  sources: Map<string, StreamState>,
): TagEvent | undefined {
  const { namespace, name } = state.stream;
  const source = spec.from && streamSourceOf(spec.from, namespace, name);
  if (!source) return undefined;
  const sourceState =
    source.namespace === namespace && source.stream === name
      ? state
      : sources.get(`${source.namespace}/${source.stream}`);
  if (!sourceState) return undefined;
  if (source.tag !== undefined) return sourceState.tags.find((t) => t.name === source.tag)?.items[0];
  try {
    return findImageInHistory(sourceState.tags, source.id ?? '', source.stream);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    throw new InvalidError(
      'ImageStreamTag',
      spec.name,
      [{ reason: 'FieldValueNotFound', field: `spec.tags[${spec.name}].from.name`, message: error.message }],
      { cause: error },
    );
  }
}
