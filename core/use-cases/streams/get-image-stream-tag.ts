import { NotFoundError } from '../../errors.ts';
import { toImageStreamTag } from '../../streams/objects.ts';
import type { ImageStreamTag } from '../../streams/types.ts';
import { loadStream } from './load-stream.ts';
import { requireStreamTag } from './require-stream-tag.ts';
import type { StreamPorts } from './stream-ports.ts';

/** GET imagestreamtags/{name}:{tag} */
export async function getImageStreamTag(
  ports: Pick<StreamPorts, 'streams' | 'images' | 'historyLimit'>,
  namespace: string,
  istag: string,
): Promise<ImageStreamTag> {
  const { stream, tag } = requireStreamTag(namespace, istag);
  const state = await loadStream(ports, namespace, stream);
  const record = state.tags.find((t) => t.name === tag);
  const head = record?.items[0];
  if (!record || !head?.image) throw new NotFoundError('imagestreamtags', istag);
  return toImageStreamTag(state.stream, record, await ports.images.getImage(head.image));
}
