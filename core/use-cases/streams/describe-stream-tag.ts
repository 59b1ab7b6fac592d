import { describeImage } from '../../describe/describe-image.ts';
import { getImageStreamTag } from './get-image-stream-tag.ts';
import type { StreamPorts } from './stream-ports.ts';

/** GET imagestreamtags/{name}:{tag}/describe: `oc describe istag`. */
export async function describeStreamTag(
  ports: Pick<StreamPorts, 'streams' | 'images' | 'historyLimit' | 'clock'>,
  namespace: string,
  istag: string,
): Promise<string> {
  const tag = await getImageStreamTag(ports, namespace, istag);
  return describeImage(tag.image, tag.metadata.creationTimestamp, ports.clock.now());
}
