import { actorOf, type Principal } from '../../access/principal.ts';
import {
  AlreadyExistsError,
  BadRequestError,
  type FieldCause,
  InvalidError,
  StaleObjectError,
  staleObjectError,
} from '../../errors.ts';
import { recordImport } from '../../importing/record-import.ts';
import { parseOrInvalid } from '../../kube/parse-or-invalid.ts';
import { isPendingImport, isSpecChange, observedGeneration } from '../../streams/generations.ts';
import { checkBodyIdentity } from '../../streams/names.ts';
import { emptyStream, toImageStreamTag } from '../../streams/objects.ts';
import { retryOnConflict } from '../../streams/retry-on-conflict.ts';
import { imageStreamTagSchema } from '../../streams/schemas.ts';
import { trackAliases } from '../../streams/track-aliases.ts';
import type {
  ImageStreamTag,
  StreamRecord,
  StreamState,
  TagEvent,
  TagRecord,
  TagReference,
} from '../../streams/types.ts';
import { validateLabels, validateTagReference, withTagDefaults } from '../../streams/validate.ts';
import { timestamp } from '../../timestamp.ts';
import { loadSources } from './load-sources.ts';
import { planSpecTags } from './plan-spec-tags.ts';
import { reportTrimmed } from './report-trimmed.ts';
import { requireStreamTag } from './require-stream-tag.ts';
import type { SourceImport, StreamPorts } from './stream-ports.ts';
import { tagCause } from './tag-cause.ts';
import { withAliases } from './with-aliases.ts';

/** PUT imagestreamtags/{name}:{tag}: `oc tag`. Creates the stream when missing; returns the tag, whose image may still be pending. */
export async function putImageStreamTag(
  ports: StreamPorts,
  principal: Principal,
  namespace: string,
  istag: string,
  body: unknown,
): Promise<ImageStreamTag> {
  const { stream: streamName, tag: tagName } = requireStreamTag(namespace, istag);
  const input = parseOrInvalid(imageStreamTagSchema, body, 'ImageStreamTag', istag);
  const metadata = input.metadata ?? {};
  checkBodyIdentity(metadata, namespace, istag);
  const causes: FieldCause[] = validateLabels(metadata.annotations, 'metadata.annotations', 'annotations');
  if (input.tag) {
    if (input.tag.name !== '' && input.tag.name !== tagName)
      causes.push({ reason: 'FieldValueInvalid', field: 'tag.name', message: 'must match image tag name' });
    causes.push(...validateTagReference({ ...input.tag, name: tagName }, 'tag', namespace, streamName));
  }
  if (causes.length) throw new InvalidError('ImageStreamTag', istag, causes);

  // A generation taken by an earlier try, reused while it is still newer than the tag: taking one is a
  // write of the stream's item, which every writer of the stream queues on.
  let taken: number | undefined;
  // The source imported by an earlier try, reused while the spec asks for the same import.
  let imported: { key: string; result: SourceImport | undefined } | undefined;
  const importOnce = async (tagSpec: TagReference) => {
    const key = importKey(tagSpec);
    if (imported?.key !== key)
      imported = { key, result: await ports.importSource?.({ namespace, name: streamName }, tagSpec) };
    return imported.result;
  };
  const put = async () => {
    for (let fresh = false; ; fresh = true) {
      const existing = await ports.streams.getStream(namespace, streamName);
      let state = existing
        ? withAliases(existing, ports.historyLimit)
        : { stream: emptyStream(namespace, streamName, ports.newUid(), timestamp(ports.clock.now())), tags: [] };
      const old = state.tags.find((t) => t.name === tagName);
      if (metadata.resourceVersion !== undefined && metadata.resourceVersion !== String(old?.version ?? 0)) {
        throw staleObjectError('imagestreamtags', istag);
      }
      const spec = specFromRequest(input.tag, metadata.annotations, old, istag);
      const sources = await loadSources(ports, principal, state.stream, [spec]);
      const changed = isSpecChange(old?.spec, spec);
      // Plan once before anything is written, so that a refused source changes nothing.
      const planned = changed
        ? planSpecTags(ports, principal, state, [spec], state.stream.generation + 1, sources).tags.find(
            (t) => t.name === tagName,
          )
        : old;
      // The source is imported before anything is written, so that the spec and what the import found
      // land in one write of the tag (the import of an earlier try is reused).
      const source =
        ports.importSource && planned?.spec && isPendingImport(planned) ? await importOnce(planned.spec) : undefined;
      if (!existing) {
        // A new stream is stored with its first generation taken: nobody can have written to it yet.
        state = { stream: { ...state.stream, generation: 1 }, tags: [] };
        await createStreamForTag(ports, state.stream);
        taken = 1;
      } else if (changed && (taken === undefined || taken <= generationOf(old))) {
        // The tag moved past the generation taken after the last read: another writer landed in between.
        if (fresh) throw staleObjectError('imagestreamtags', istag);
        taken = await ports.streams.nextGeneration(state.stream);
        // Read again, so that the window a concurrent write can win in is this read to the conditional write.
        continue;
      }
      const generation = changed ? (taken as number) : state.stream.generation;
      const next = planSpecTags(ports, principal, state, [spec], generation, sources);
      const recorded = source ? withImport(ports, principal, state, next, tagName, source) : undefined;
      const tags = keepUnchanged(state.tags, recorded?.tags ?? next.tags);
      const stored = await ports.writer.write(state.stream, state.tags, tags, {
        primary: tagName,
        cause: recorded?.moved ? 'import' : tagCause(state.stream, spec),
        actor: actorOf(principal),
      });
      reportTrimmed(ports, state.stream, [...next.dropped, ...(recorded?.dropped ?? [])]);
      const record = stored.find((t) => t.name === tagName) ?? (tags.find((t) => t.name === tagName) as TagRecord);
      const failure = recorded?.failed ? record.conditions[0] : undefined;
      if (failure) await ports.writer.importFailed(state.stream, record, failure, actorOf(principal));
      return { stream: state.stream, record, image: source?.image };
    }
  };
  const { stream, record, image } = await retryOnConflict(put, {
    clock: ports.clock,
    resourceVersion: metadata.resourceVersion,
  });
  const head = record.items[0]?.image;
  // The image the import just stored is the head's: the answer shows it without reading it back.
  const headImage = head && (image?.metadata.name === head ? image : await ports.images.getImage(head));
  return toImageStreamTag(stream, record, headImage || undefined);
}

/**
 * The planned tags with the import's result recorded on the tag (reference §5.4) and the aliases that
 * follow it brought in step.
 */
function withImport(
  ports: Pick<StreamPorts, 'clock' | 'historyLimit'>,
  principal: Principal,
  state: StreamState,
  planned: { tags: TagRecord[] },
  tagName: string,
  source: SourceImport,
): { tags: TagRecord[]; dropped: TagEvent[]; moved: boolean; failed: boolean } | undefined {
  const tag = planned.tags.find((t) => t.name === tagName);
  if (!tag?.spec || !isPendingImport(tag)) return undefined;
  const recorded = recordImport(tag, tag.spec, source.outcome, {
    generation: tag.spec.generation ?? 0,
    now: timestamp(ports.clock.now()),
    actor: actorOf(principal),
    historyLimit: ports.historyLimit,
  });
  const merged = planned.tags.map((t) => (t.name === tagName ? recorded.tag : t));
  const { namespace, name } = state.stream;
  return {
    tags: trackAliases(merged, namespace, name, ports.historyLimit).tags,
    dropped: recorded.dropped,
    moved: recorded.event !== undefined,
    failed: !source.outcome.ok,
  };
}

/**
 * Planning rebuilds a tag from its spec, history and conditions only; one whose content is as stored is
 * kept as stored (with its schedule, outbox and push bookkeeping), so that the writer leaves it alone.
 * Rewriting it would carry another writer's unannounced change and announce it a second time.
 */
function keepUnchanged(before: TagRecord[], after: TagRecord[]): TagRecord[] {
  const stored = new Map(before.map((t) => [t.name, t]));
  const content = (t: TagRecord) => JSON.stringify([t.spec, t.items, t.conditions, t.version]);
  return after.map((t) => {
    const old = stored.get(t.name);
    return old && content(old) === content(t) ? old : t;
  });
}

/** What an import of a spec tag depends on: a retry whose spec still says the same reuses the import. */
function importKey(spec: TagReference): string {
  return JSON.stringify([spec.from, spec.importPolicy ?? null, spec.annotations ?? null]);
}

/** Stores a stream created by a tag write; a concurrent creation is a lost race, so the write re-reads and retries. */
async function createStreamForTag(ports: Pick<StreamPorts, 'streams'>, stream: StreamRecord): Promise<void> {
  try {
    await ports.streams.createStream(stream);
  } catch (error) {
    if (error instanceof AlreadyExistsError) throw new StaleObjectError('imagestreams', stream.name, { cause: error });
    throw error;
  }
}

/**
 * The spec tag an istag PUT asks for. Annotations come from metadata, else from the tag, else stay
 * as they were: unlike OpenShift, a PUT that does not mention annotations keeps them.
 */
function specFromRequest(
  tag: Parameters<typeof withTagDefaults>[0] | null | undefined,
  annotations: Record<string, string> | null | undefined,
  old: TagRecord | undefined,
  istag: string,
): TagReference {
  const base = tag ? withTagDefaults({ ...tag, name: old?.name ?? istag.split(':')[1] ?? '' }) : old?.spec;
  if (!base)
    throw new BadRequestError(`imagestreamtag "${istag}" is not a spec tag and the request has no "tag" to create it`);
  const kept = annotations ?? tag?.annotations ?? old?.spec?.annotations ?? null;
  const spec: TagReference = { ...base };
  if (kept && Object.keys(kept).length) spec.annotations = kept;
  else delete spec.annotations;
  return spec;
}

/** The newest generation a tag's spec or status has seen; a write must bring a newer one. */
function generationOf(tag: TagRecord | undefined): number {
  return tag ? Math.max(tag.spec?.generation ?? 0, observedGeneration(tag)) : 0;
}
