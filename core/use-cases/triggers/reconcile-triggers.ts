import { slotOf } from '../../scheduling/schedule.ts';
import type { FireOutcome } from './fire-trigger.ts';
import { fireTriggers } from './fire-triggers.ts';

/** The periodic reconcile: catches up every trigger of this shard whose tag moved while an event was lost. */
export async function reconcileTriggers(
  ports: Parameters<typeof fireTriggers>[0],
  { shard = 0, shards = 1 }: { shard?: number; shards?: number } = {},
): Promise<Record<FireOutcome, number>> {
  const triggers = (await ports.triggers.listTriggers()).filter(
    (t) => slotOf(t.from.namespace, t.from.stream, t.from.tag) % shards === shard,
  );
  return fireTriggers(ports, triggers);
}
