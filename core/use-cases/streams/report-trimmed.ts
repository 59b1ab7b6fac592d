import type { StreamRecord, TagEvent } from '../../streams/types.ts';
import type { StreamPorts } from './stream-ports.ts';

/** Tells the listener about history entries the limit pushed out. */
export function reportTrimmed(ports: Pick<StreamPorts, 'onHistoryTrimmed'>, stream: StreamRecord, dropped: TagEvent[]) {
  if (dropped.length) ports.onHistoryTrimmed?.({ namespace: stream.namespace, stream: stream.name, dropped });
}
