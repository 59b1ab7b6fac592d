import { describeImageStream } from '../../describe/describe-image-stream.ts';
import { streamRepository } from '../../references/integrated-registry.ts';
import { loadStream } from './load-stream.ts';
import type { StreamPorts } from './stream-ports.ts';

/** GET imagestreams/{name}/describe: `oc describe is`. */
export async function describeStream(
  ports: Pick<StreamPorts, 'streams' | 'historyLimit' | 'clock' | 'integratedRegistry'>,
  namespace: string,
  name: string,
): Promise<string> {
  return describeImageStream(
    await loadStream(ports, namespace, name),
    ports.clock.now(),
    streamRepository(ports.integratedRegistry, namespace, name),
  );
}
