import { NotFoundError } from '../../errors.ts';
import { type SuccessStatus, successStatus } from '../../kube/success-status.ts';
import { retryOnConflict } from '../../streams/retry-on-conflict.ts';
import { imageGroup } from '../../streams/types.ts';
import { loadStream } from './load-stream.ts';
import { requireStreamTag } from './require-stream-tag.ts';
import type { StreamPorts } from './stream-ports.ts';

/** DELETE imagestreamtags/{name}:{tag}: removes the spec entry and the history (`oc tag -d`). */
export async function deleteImageStreamTag(
  ports: Pick<StreamPorts, 'streams' | 'historyLimit' | 'clock'>,
  namespace: string,
  istag: string,
): Promise<SuccessStatus> {
  const { stream, tag } = requireStreamTag(namespace, istag);
  await retryOnConflict(
    async () => {
      const state = await loadStream(ports, namespace, stream);
      const record = state.tags.find((t) => t.name === tag);
      if (!record) throw new NotFoundError('imagestreamtags', istag);
      await ports.streams.deleteTag(state.stream, record);
    },
    { clock: ports.clock },
  );
  return successStatus('imagestreamtags', istag, imageGroup);
}
