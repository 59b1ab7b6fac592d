import { streamRepository } from '../../references/integrated-registry.ts';
import { toImageStream } from '../../streams/objects.ts';
import type { ImageStream } from '../../streams/types.ts';
import { loadStream } from './load-stream.ts';
import type { StreamPorts } from './stream-ports.ts';

/** GET imagestreams/{name} */
export async function getImageStream(
  ports: Pick<StreamPorts, 'streams' | 'historyLimit' | 'integratedRegistry'>,
  namespace: string,
  name: string,
): Promise<ImageStream> {
  return toImageStream(
    await loadStream(ports, namespace, name),
    streamRepository(ports.integratedRegistry, namespace, name),
  );
}
