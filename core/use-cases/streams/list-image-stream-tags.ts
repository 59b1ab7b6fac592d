import { type List, listOf } from '../../kube/list-of.ts';
import { type ListRequest, takePage, wholeList } from '../../kube/list-request.ts';
import { requireNamespace, splitStreamTag } from '../../streams/names.ts';
import { toImageStreamTag } from '../../streams/objects.ts';
import { type ImageStreamTag, imageApiVersion } from '../../streams/types.ts';
import { itemsToRead } from './items-to-read.ts';
import type { StreamPorts } from './stream-ports.ts';
import { withAliases } from './with-aliases.ts';

type Ports = Pick<StreamPorts, 'streams' | 'historyLimit'>;

/**
 * GET imagestreamtags: one entry per tag that has an image; entries name the image only. A page may end
 * inside a stream: the next one reads that stream again (aliases resolve within the whole stream) and
 * goes on after the tag the page ended with.
 */
export async function listImageStreamTags(
  ports: Ports,
  namespace: string,
  request: ListRequest = wholeList,
): Promise<List<ImageStreamTag>> {
  requireNamespace(namespace);
  const page = await takePage(
    imageStreamTagsFrom(ports, namespace, request.after === undefined ? undefined : splitStreamTag(request.after), {
      pageSize: itemsToRead(request),
    }),
    request,
    ({ istag, labels }) => ({ position: istag.metadata.name, metadata: { ...istag.metadata, labels } }),
  );
  return listOf(
    imageApiVersion,
    'ImageStreamTagList',
    page.items.map((entry) => entry.istag),
    page.metadata,
  );
}

async function* imageStreamTagsFrom(
  ports: Ports,
  namespace: string,
  start: { stream: string; tag: string } | undefined,
  options: { pageSize: number | undefined },
): AsyncIterable<{ istag: ImageStreamTag; labels: Record<string, string> }> {
  const at = start === undefined ? undefined : { at: start.stream };
  for await (const raw of ports.streams.streamsFrom(namespace, at, options.pageSize)) {
    const state = withAliases(raw, ports.historyLimit);
    const resumed = start !== undefined && raw.stream.name === start.stream;
    const tags = [...state.tags]
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .filter((t) => t.items[0]?.image && !(resumed && t.name <= start.tag));
    for (const t of tags) {
      const istag = toImageStreamTag(state.stream, t, undefined);
      yield {
        istag: {
          ...istag,
          image: {
            metadata: { name: istag.image.metadata.name },
            dockerImageReference: istag.image.dockerImageReference,
          },
        },
        labels: state.stream.labels,
      };
    }
  }
}
