import { type SuccessStatus, successStatus } from '../../kube/success-status.ts';
import { imageGroup } from '../../streams/types.ts';
import { loadStream } from './load-stream.ts';
import type { StreamPorts } from './stream-ports.ts';

/**
 * DELETE imagestreams/{name}: the stream and every tag's history; image metadata stays. Its repository in
 * the integrated registry goes too when it holds no image.
 */
export async function deleteImageStream(
  ports: Pick<StreamPorts, 'streams' | 'historyLimit' | 'releaseRepository'>,
  namespace: string,
  name: string,
): Promise<SuccessStatus> {
  const state = await loadStream(ports, namespace, name);
  await ports.streams.deleteStream(state.stream);
  await ports.releaseRepository?.(namespace, name);
  return successStatus('imagestreams', name, imageGroup);
}
