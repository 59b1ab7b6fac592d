import { type List, listOf } from '../../kube/list-of.ts';
import { type ListRequest, takePage, wholeList } from '../../kube/list-request.ts';
import { streamRepository } from '../../references/integrated-registry.ts';
import { requireNamespace } from '../../streams/names.ts';
import { toImageStream } from '../../streams/objects.ts';
import { type ImageStream, imageApiVersion } from '../../streams/types.ts';
import { itemsToRead } from './items-to-read.ts';
import type { StreamPorts } from './stream-ports.ts';
import { withAliases } from './with-aliases.ts';

/** GET imagestreams: a page of whole streams (a stream's tags are items of its own in the store). */
export async function listImageStreams(
  ports: Pick<StreamPorts, 'streams' | 'historyLimit' | 'integratedRegistry'>,
  namespace: string,
  request: ListRequest = wholeList,
): Promise<List<ImageStream>> {
  requireNamespace(namespace);
  const after = request.after === undefined ? undefined : { after: request.after };
  const page = await takePage(
    ports.streams.streamsFrom(namespace, after, itemsToRead(request)),
    request,
    ({ stream }) => ({ position: stream.name, metadata: { name: stream.name, namespace, labels: stream.labels } }),
  );
  return listOf(
    imageApiVersion,
    'ImageStreamList',
    page.items.map((s) =>
      toImageStream(
        withAliases(s, ports.historyLimit),
        streamRepository(ports.integratedRegistry, namespace, s.stream.name),
      ),
    ),
    page.metadata,
  );
}
