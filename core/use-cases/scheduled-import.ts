import { mapBounded } from '../map-bounded.ts';
import type { Clock, IndexedTag, ScheduleIndex } from '../ports.ts';
import { parseDockerImageReference, registryHost, withDefaults } from '../references/docker-image-reference.ts';
import type { HostPacer } from '../scheduling/host-pacer.ts';
import { scheduleSlots, slotKey, slotOf, slotsForTick } from '../scheduling/schedule.ts';
import type { ImportService } from './import-service.ts';
import { TagListings } from './tag-listings.ts';
import type { TagWriter } from './tag-writer.ts';

export interface ScheduledImportOptions {
  schedule: ScheduleIndex;
  imports: Pick<ImportService, 'importTag'>;
  writer: Pick<TagWriter, 'announce'>;
  clock: Clock;
  pacer: HostPacer;
  /** What the registry last said of its remaining requests, per host. */
  rateLimitRemaining: (host: string) => number | undefined;
  intervalSeconds: number;
  tickSeconds: number;
  /** Checks running at once. */
  concurrency: number;
  /** At most this many tags per tick (all shards' share of the cycle should fit). */
  maxChecksPerTick: number;
  /** Work stops after this long; unfinished slots are resumed first by the next tick. */
  budgetMs: number;
}

export interface TickReport {
  tick: number;
  shard: number;
  slots: number[];
  checked: number;
  changed: number;
  unchanged: number;
  failed: number;
  skipped: number;
  announced: number;
  leftover: number[];
}

/**
 * One tick of the scheduled re-import (the EventBridge schedule's, or local mode's timer): announce
 * changes whose event was lost, import tags that are due, then check this tick's share of the scheduled
 * tags. Each tick reads only what is due now; an unchanged tag costs one HEAD and no write.
 */
export class ScheduledImport {
  private readonly options: ScheduledImportOptions;

  constructor(options: ScheduledImportOptions) {
    this.options = options;
  }

  async tick({ shard = 0, shards = 1 }: { shard?: number; shards?: number } = {}): Promise<TickReport> {
    const { schedule, clock, intervalSeconds, tickSeconds } = this.options;
    const started = clock.now();
    const deadline = started.getTime() + this.options.budgetMs;
    const tick = Math.floor(started.getTime() / (tickSeconds * 1000));
    const ticksPerCycle = Math.min(scheduleSlots, Math.max(1, Math.round(intervalSeconds / tickSeconds)));
    const mine = (t: IndexedTag) => slotOf(t.stream.namespace, t.stream.name, t.tag.name) % shards === shard;
    const report: TickReport = {
      tick,
      shard,
      slots: [],
      checked: 0,
      changed: 0,
      unchanged: 0,
      failed: 0,
      skipped: 0,
      announced: 0,
      leftover: [],
    };

    // Changes written but never announced (the bus was down): announce them from state.
    const unannounced = (await schedule.listUnpublished(this.options.maxChecksPerTick)).filter(mine);
    for (const { stream, tag } of unannounced) await this.options.writer.announce(stream, [tag]);
    report.announced = unannounced.length;

    const resumed = await schedule.getCursor(shard);
    const from = new Map(resumed.map((c) => [c.slot, c.from]));
    const slots = [...new Set([...resumed.map((c) => c.slot), ...slotsForTick(tick, ticksPerCycle, shard, shards)])];
    report.slots = slots;
    // Read the whole tick's share first, so that one pool of checks runs without draining between slots.
    const [due, ...perSlot] = await Promise.all([
      schedule.listDue(started.toISOString(), this.options.maxChecksPerTick).then((tags) => tags.filter(mine)),
      ...slots.map((slot) => schedule.listSlot(slot)),
    ]);
    const work = [
      ...(due ?? []).map((tag) => ({ tag, slot: -1 })),
      ...perSlot.flatMap((tags, i) => {
        const slot = slots[i] as number;
        const start = from.get(slot) ?? '';
        return tags.filter((t) => keyOf(t) >= start).map((tag) => ({ tag, slot }));
      }),
    ];
    const unfinished = await this.check(work, deadline, report);
    const cursor = slots.flatMap((slot) =>
      unfinished.has(slot) ? [{ slot, from: unfinished.get(slot) as string }] : [],
    );
    report.leftover = cursor.map((c) => c.slot);
    if (cursor.length || resumed.length) await schedule.putCursor(shard, cursor);
    return report;
  }

  /**
   * Checks tags a few at a time, paced per registry. Answers, for each slot the time or the tick's cap
   * cut short, the key of its first unchecked tag (tags start in slot order, so those before it started).
   */
  private async check(
    work: { tag: IndexedTag; slot: number }[],
    deadline: number,
    report: TickReport,
  ): Promise<Map<number, string>> {
    const unfinished = new Map<number, string>();
    // Policy tags following the same repository read its tag list once per tick.
    const listings = new TagListings();
    // Once out of time or over the cap, no further tag is checked: each is left for the next tick.
    let stopped = false;
    await mapBounded(work, this.options.concurrency, async (item) => {
      stopped ||= this.options.clock.now().getTime() >= deadline || report.checked >= this.options.maxChecksPerTick;
      if (stopped) {
        if (item.slot >= 0 && !unfinished.has(item.slot)) unfinished.set(item.slot, keyOf(item.tag));
        return;
      }
      const { stream, tag } = item.tag;
      report.checked++; // counted before any wait, so that the cap holds across the pool
      const host = hostOf(tag.spec?.from?.name);
      if (host) {
        this.options.pacer.observeRemaining(host, this.options.rateLimitRemaining(host));
        if (!(await this.options.pacer.acquire(host, deadline))) {
          report.checked--;
          report.skipped++;
          return;
        }
      }
      const signal = AbortSignal.timeout(Math.max(1, deadline - this.options.clock.now().getTime()));
      try {
        const result = await this.options.imports.importTag(stream, tag, {
          cause: 'scheduled-import',
          actor: 'scheduler',
          signal,
          listings,
        });
        report[result.status]++;
        if (host && result.retryAfterSeconds !== undefined) this.options.pacer.pause(host, result.retryAfterSeconds);
      } catch {
        // One tag's trouble (a store conflict that outlived its retries) never stops the others.
        report.failed++;
      }
    });
    return unfinished;
  }
}

function keyOf({ stream, tag }: IndexedTag): string {
  return slotKey(stream.namespace, stream.name, tag.name);
}

function hostOf(from: string | undefined): string | undefined {
  try {
    return from ? registryHost(withDefaults(parseDockerImageReference(from))) : undefined;
  } catch {
    return undefined;
  }
}
