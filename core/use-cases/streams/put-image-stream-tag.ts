import { actorOf, type Principal } from '../../access/principal.ts';
import {
  AlreadyExistsError,
  BadRequestError,
  type FieldCause,
  InvalidError,
  StaleObjectError,
  staleObjectError,
} from '../../errors.ts';
import { parseOrInvalid } from '../../kube/parse-or-invalid.ts';
import { isPendingImport, isSpecChange, observedGeneration } from '../../streams/generations.ts';
import { checkBodyIdentity } from '../../streams/names.ts';
import { emptyStream, toImageStreamTag } from '../../streams/objects.ts';
import { retryOnConflict } from '../../streams/retry-on-conflict.ts';
import { imageStreamTagSchema } from '../../streams/schemas.ts';
import type { ImageStreamTag, StreamRecord, TagRecord, TagReference } from '../../streams/types.ts';
import { validateLabels, validateTagReference, withTagDefaults } from '../../streams/validate.ts';
import { timestamp } from '../../timestamp.ts';
import { loadSources } from './load-sources.ts';
import { planSpecTags } from './plan-spec-tags.ts';
import { reportTrimmed } from './report-trimmed.ts';
import { requireStreamTag } from './require-stream-tag.ts';
import type { StreamPorts } from './stream-ports.ts';
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
  const put = async () => {
    for (let fresh = false; ; fresh = true) {
      const existing = await ports.streams.getStream(namespace, streamName);
      const state = existing
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
      if (changed) planSpecTags(ports, principal, state, [spec], state.stream.generation + 1, sources);
      if (!existing) await createStreamForTag(ports, state.stream);
      if (changed && (taken === undefined || taken <= generationOf(old))) {
        // The tag moved past the generation taken after the last read: another writer landed in between.
        if (fresh) throw staleObjectError('imagestreamtags', istag);
        taken = await ports.streams.nextGeneration(state.stream);
        // Read again, so that the window a concurrent write can win in is this read to the conditional write.
        continue;
      }
      const generation = changed ? (taken as number) : state.stream.generation;
      const next = planSpecTags(ports, principal, state, [spec], generation, sources);
      const stored = await ports.writer.write(state.stream, state.tags, next.tags, {
        primary: tagName,
        cause: tagCause(state.stream, spec),
        actor: actorOf(principal),
      });
      reportTrimmed(ports, state.stream, next.dropped);
      const record = stored.find((t) => t.name === tagName) ?? (next.tags.find((t) => t.name === tagName) as TagRecord);
      return { stream: state.stream, record };
    }
  };
  const written = await retryOnConflict(put, { clock: ports.clock, resourceVersion: metadata.resourceVersion });
  const { stream } = written;
  let { record } = written;
  if (ports.importPending && isPendingImport(record)) {
    await ports.importPending(namespace, streamName, [tagName], principal);
    record = (await ports.streams.getStream(namespace, streamName))?.tags.find((t) => t.name === tagName) ?? record;
  }
  const head = record.items[0];
  return toImageStreamTag(stream, record, head?.image ? await ports.images.getImage(head.image) : undefined);
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
