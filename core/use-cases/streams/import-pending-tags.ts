import type { Principal } from '../../access/principal.ts';
import { isPendingImport } from '../../streams/generations.ts';
import type { StreamState } from '../../streams/types.ts';
import type { StreamPorts } from './stream-ports.ts';

/** Imports the stream's pending tags; true when there were any. */
export async function importPendingTags(
  ports: Pick<StreamPorts, 'importPending'>,
  principal: Principal,
  state: StreamState,
): Promise<boolean> {
  const pending = state.tags.filter(isPendingImport).map((t) => t.name);
  if (!ports.importPending || pending.length === 0) return false;
  await ports.importPending(state.stream.namespace, state.stream.name, pending, principal);
  return true;
}
