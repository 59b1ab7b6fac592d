import { triggerChangedEvent } from '../../events/bus-events.ts';
import { mapBounded } from '../../map-bounded.ts';
import { slotOf } from '../../scheduling/schedule.ts';
import type { StreamState } from '../../streams/types.ts';
import { type FiringDue, firingDue } from '../../triggers/firing-due.ts';
import { sourceHead } from './source-head.ts';
import type { TriggerPorts } from './trigger-ports.ts';

/** What one reconcile did with its shard's triggers. */
export interface ReconcileCounts {
  /** Due triggers announced on the bus, for the trigger function to fire. */
  announced: number;
  /** Due triggers whose announcement the bus did not take after the publisher's retries: the next tick tries again. */
  unannounced: number;
  /** Of the due ones (announced or not), firings whose deliverer died, to be delivered again. */
  abandoned: number;
  upToDate: number;
  /** Created with fireOnCreate: false while the tag pointed at its current image. */
  skipped: number;
  paused: number;
  noImage: number;
}

/**
 * The periodic reconcile: finds the triggers of this shard that have a firing due (a tag that moved while its
 * event was lost, a firing whose deliverer died) and announces each on the bus as `ImageTrigger Changed`; the
 * trigger function fires them as it fires the API's announcements. The reconcile fires nothing itself: a slow
 * target never holds the schedule, and the schedule holds no target.
 */
export async function reconcileTriggers(
  ports: Pick<
    TriggerPorts,
    'triggers' | 'streams' | 'publisher' | 'clock' | 'historyLimit' | 'leaseMs' | 'concurrency'
  >,
  { shard = 0, shards = 1 }: { shard?: number; shards?: number } = {},
): Promise<ReconcileCounts> {
  const triggers = (await ports.triggers.listTriggers()).filter(
    (t) => slotOf(t.from.namespace, t.from.stream, t.from.tag) % shards === shard,
  );
  const now = ports.clock.now();
  const streams = new Map<string, Promise<StreamState | undefined>>();
  const decisions = await mapBounded(triggers, ports.concurrency, async (trigger) =>
    firingDue(trigger, await sourceHead(ports, trigger, streams), now, ports.leaseMs),
  );
  const count = (...which: FiringDue[]) => decisions.filter((d) => which.includes(d)).length;
  const due = triggers.filter((_, i) => decisions[i] === 'new-image' || decisions[i] === 'abandoned');
  // One call: the publisher sends ten entries a PutEvents and retries the refused ones.
  const refused = due.length
    ? await ports.publisher.publish(due.map((trigger) => triggerChangedEvent(trigger, 'reconciled', now)))
    : [];
  return {
    announced: due.length - refused.length,
    unannounced: refused.length,
    abandoned: count('abandoned'),
    upToDate: count('up-to-date'),
    skipped: count('skipped'),
    paused: count('paused'),
    noImage: count('no-image'),
  };
}
