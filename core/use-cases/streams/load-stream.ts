import { NotFoundError } from '../../errors.ts';
import type { StreamState } from '../../streams/types.ts';
import { requireStream } from './require-stream.ts';
import type { StreamPorts } from './stream-ports.ts';
import { withAliases } from './with-aliases.ts';

/** Reads a stream with its aliases in step; a missing one is NotFound. */
export async function loadStream(
  ports: Pick<StreamPorts, 'streams' | 'historyLimit'>,
  namespace: string,
  name: string,
): Promise<StreamState> {
  requireStream(namespace, name);
  const state = await ports.streams.getStream(namespace, name);
  if (!state) throw new NotFoundError('imagestreams', name);
  return withAliases(state, ports.historyLimit);
}
