import { tagHead } from '../../streams/tag-head.ts';
import type { StreamState, TagEvent } from '../../streams/types.ts';
import type { TriggerRecord } from '../../triggers/types.ts';
import type { TriggerPorts } from './trigger-ports.ts';

/**
 * The image `trigger`'s source tag points at now, or undefined. `streams` shares the stream reads between the
 * triggers of one fan-out or reconcile: each source stream is read once.
 */
export async function sourceHead(
  ports: Pick<TriggerPorts, 'streams' | 'historyLimit'>,
  trigger: Pick<TriggerRecord, 'from'>,
  streams: Map<string, Promise<StreamState | undefined>>,
): Promise<TagEvent | undefined> {
  const { namespace, stream, tag } = trigger.from;
  const key = `${namespace}/${stream}`;
  if (!streams.has(key)) streams.set(key, ports.streams.getStream(namespace, stream));
  const state = await streams.get(key);
  return state ? tagHead(state, tag, ports.historyLimit) : undefined;
}
