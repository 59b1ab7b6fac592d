import type { Logger } from '@aws-lambda-powertools/logger';
import { runSchedule } from '../lib/run-schedule.ts';
import type { LocalDependencies } from './local-dependencies.ts';

/** Plays the EventBridge schedule: a tick per shard every `seconds`, never two of a shard at once. */
export function startTicker(
  deps: Pick<LocalDependencies, 'scheduler' | 'reconciler'>,
  seconds: number,
  shards: number,
  logger: Pick<Logger, 'info' | 'error'>,
): NodeJS.Timeout {
  const running = new Set<number>();
  const tick = () => {
    for (let shard = 0; shard < shards; shard++) {
      if (running.has(shard)) continue;
      running.add(shard);
      runSchedule(deps, shard, shards)
        .then((report) => {
          if (report.checked || report.announced || report.triggers.announced || report.triggers.unannounced)
            logger.info('scheduled tick', { ...report, slots: report.slots.length });
        })
        .catch((error: unknown) => logger.error('scheduled tick failed', { shard, error: error as Error }))
        .finally(() => running.delete(shard));
    }
  };
  const timer = setInterval(tick, seconds * 1000);
  timer.unref();
  return timer;
}
