import { actorOf, type Principal } from '../../access/principal.ts';
import { parseOrInvalid } from '../../kube/parse-or-invalid.ts';
import { streamRepository } from '../../references/integrated-registry.ts';
import { checkBodyIdentity, requireNamespace } from '../../streams/names.ts';
import { toImageStream } from '../../streams/objects.ts';
import { imageStreamSchema } from '../../streams/schemas.ts';
import type { ImageStream, StreamRecord } from '../../streams/types.ts';
import { validateImageStream } from '../../streams/validate.ts';
import { timestamp } from '../../timestamp.ts';
import { getImageStream } from './get-image-stream.ts';
import { importPendingTags } from './import-pending-tags.ts';
import { loadSources } from './load-sources.ts';
import { planSpecTags } from './plan-spec-tags.ts';
import { reportTrimmed } from './report-trimmed.ts';
import type { StreamPorts } from './stream-ports.ts';
import { tagCause } from './tag-cause.ts';

/** POST imagestreams: creates a stream and records what its spec tags point at. */
export async function createImageStream(
  ports: StreamPorts,
  principal: Principal,
  namespace: string,
  body: unknown,
): Promise<ImageStream> {
  requireNamespace(namespace);
  const input = parseOrInvalid(imageStreamSchema, body, 'ImageStream', '');
  checkBodyIdentity(input.metadata, namespace);
  const write = validateImageStream(input, namespace);
  const stream: StreamRecord = {
    namespace,
    name: write.name,
    uid: ports.newUid(),
    creationTimestamp: timestamp(ports.clock.now()),
    labels: write.labels,
    annotations: write.annotations,
    lookupLocal: write.lookupLocal,
    dockerImageRepository: write.dockerImageRepository,
    generation: 1,
    version: 1,
  };
  const sources = await loadSources(ports, principal, stream, write.tags);
  const planned = planSpecTags(ports, principal, { stream, tags: [] }, write.tags, 1, sources);
  await ports.streams.createStream(stream);
  const actor = actorOf(principal);
  const tags = (
    await Promise.all(
      planned.tags.map((tag) => ports.writer.write(stream, [], [tag], { cause: tagCause(stream, tag.spec), actor })),
    )
  ).flat();
  reportTrimmed(ports, stream, planned.dropped);
  if (await importPendingTags(ports, principal, { stream, tags })) return getImageStream(ports, namespace, stream.name);
  return toImageStream({ stream, tags }, streamRepository(ports.integratedRegistry, namespace, stream.name));
}
