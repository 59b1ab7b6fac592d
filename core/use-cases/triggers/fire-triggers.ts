import { mapBounded } from '../../map-bounded.ts';
import type { StreamState } from '../../streams/types.ts';
import type { TriggerRecord } from '../../triggers/types.ts';
import { type FireOutcome, fireTrigger } from './fire-trigger.ts';
import type { TriggerPorts } from './trigger-ports.ts';

/** Fires many triggers, `concurrency` at a time, reading each source stream once; counts the outcomes. */
export async function fireTriggers(
  ports: Parameters<typeof fireTrigger>[0] & Pick<TriggerPorts, 'concurrency'>,
  triggers: TriggerRecord[],
): Promise<Record<FireOutcome, number>> {
  const streams = new Map<string, Promise<StreamState | undefined>>();
  const counts: Record<FireOutcome, number> = {
    fired: 0,
    failed: 0,
    paused: 0,
    'no-image': 0,
    'up-to-date': 0,
    'claimed-elsewhere': 0,
  };
  for (const outcome of await mapBounded(triggers, ports.concurrency, (t) => fireTrigger(ports, t, streams)))
    counts[outcome]++;
  return counts;
}
