import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { baseDependencies } from './lib/base-dependencies.ts';
import { loadConfig } from './lib/config.ts';
import { importDependencies } from './lib/import-dependencies.ts';
import { reconcileDependencies } from './lib/reconcile-dependencies.ts';
import { runSchedule } from './lib/run-schedule.ts';

// This function's share of the composition: the scheduled re-import and the trigger reconcile (which announces
// due triggers on the bus and fires none: no targets here), no API.
const base = baseDependencies(loadConfig());
const deps = {
  scheduler: importDependencies(base).scheduler,
  reconciler: reconcileDependencies(base),
  logger: base.logger,
};

/** The EventBridge schedule's target: one tick for the shard in the schedule's input. */
export const handler = middy(async (event: { shard?: number; shards?: number } = {}) => {
  const shards = event.shards ?? 1;
  const shard = event.shard ?? 0;
  if (!Number.isInteger(shards) || shards < 1 || !Number.isInteger(shard) || shard < 0 || shard >= shards) {
    throw new Error(
      `the schedule's input must be { shard, shards } with 0 <= shard < shards, not ${JSON.stringify(event)}`,
    );
  }
  const report = await runSchedule(deps, shard, shards);
  deps.logger.info('scheduled tick', { ...report });
  return report;
}).use(injectLambdaContext(deps.logger, { resetKeys: true }));
