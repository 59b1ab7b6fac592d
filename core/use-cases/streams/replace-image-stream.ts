import { isDeepStrictEqual } from 'node:util';
import { actorOf, type Principal } from '../../access/principal.ts';
import { staleObjectError } from '../../errors.ts';
import { parseOrInvalid } from '../../kube/parse-or-invalid.ts';
import { streamRepository } from '../../references/integrated-registry.ts';
import { isSpecChange } from '../../streams/generations.ts';
import { checkBodyIdentity } from '../../streams/names.ts';
import { toImageStream } from '../../streams/objects.ts';
import { retryOnConflict } from '../../streams/retry-on-conflict.ts';
import { imageStreamSchema } from '../../streams/schemas.ts';
import type { ImageStream } from '../../streams/types.ts';
import { validateImageStream } from '../../streams/validate.ts';
import { getImageStream } from './get-image-stream.ts';
import { importPendingTags } from './import-pending-tags.ts';
import { loadSources } from './load-sources.ts';
import { loadStream } from './load-stream.ts';
import { planSpecTags } from './plan-spec-tags.ts';
import { reportTrimmed } from './report-trimmed.ts';
import { requireStream } from './require-stream.ts';
import type { StreamPorts } from './stream-ports.ts';

/** PUT imagestreams/{name}: replaces metadata and spec; status is the server's and is ignored. */
export async function replaceImageStream(
  ports: Omit<StreamPorts, 'images' | 'newUid'>,
  principal: Principal,
  namespace: string,
  name: string,
  body: unknown,
): Promise<ImageStream> {
  requireStream(namespace, name);
  const input = parseOrInvalid(imageStreamSchema, body, 'ImageStream', name);
  checkBodyIdentity(input.metadata, namespace, name);
  const write = validateImageStream({ ...input, metadata: { ...input.metadata, name } }, namespace);
  const replace = async () => {
    const state = await loadStream(ports, namespace, name);
    if (write.resourceVersion !== undefined && write.resourceVersion !== String(state.stream.version)) {
      throw staleObjectError('imagestreams', name);
    }
    const desired = new Map(write.tags.map((t) => [t.name, t]));
    const specChanged =
      state.stream.lookupLocal !== write.lookupLocal ||
      state.stream.dockerImageRepository !== write.dockerImageRepository ||
      state.tags.some((t) => t.spec && !desired.has(t.name)) ||
      write.tags.some((t) => isSpecChange(state.tags.find((old) => old.name === t.name)?.spec, t));
    const metadataChanged =
      !isDeepStrictEqual(state.stream.labels ?? {}, write.labels) ||
      !isDeepStrictEqual(state.stream.annotations ?? {}, write.annotations);
    // The same object again (kubectl apply re-sends whole tag lists): nothing to write, the version stays.
    if (!specChanged && !metadataChanged) return state.stream;
    const sources = await loadSources(ports, principal, state.stream, write.tags);
    planSpecTags(ports, principal, state, write.tags, state.stream.generation + 1, sources);
    const stream = await ports.streams.updateStream(
      {
        ...state.stream,
        labels: write.labels,
        annotations: write.annotations,
        lookupLocal: write.lookupLocal,
        dockerImageRepository: write.dockerImageRepository,
        generation: state.stream.generation + (specChanged ? 1 : 0),
      },
      state.stream.version,
    );
    await retryOnConflict(
      async () => {
        const current = await loadStream(ports, namespace, name);
        const next = planSpecTags(ports, principal, { ...current, stream }, write.tags, stream.generation, sources);
        const withoutRemoved = next.tags.map((t) => (t.spec && !desired.has(t.name) ? { ...t, spec: null } : t));
        await ports.writer.write(stream, current.tags, withoutRemoved, { cause: 'tag', actor: actorOf(principal) });
        reportTrimmed(ports, stream, next.dropped);
      },
      { clock: ports.clock },
    );
    return stream;
  };
  const stream = await retryOnConflict(replace, { clock: ports.clock, resourceVersion: write.resourceVersion });
  const state = { ...(await loadStream(ports, namespace, name)), stream };
  if (await importPendingTags(ports, principal, state)) return getImageStream(ports, namespace, name);
  return toImageStream(state, streamRepository(ports.integratedRegistry, namespace, name));
}
