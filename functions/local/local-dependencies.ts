import type { Logger } from '@aws-lambda-powertools/logger';
import type { Clock, EventPublisher } from '../../core/ports.ts';
import { baseDependencies } from '../lib/base-dependencies.ts';
import { apiDependencies } from '../lib/composition-root.ts';
import type { Config } from '../lib/config.ts';
import { reconcileDependencies } from '../lib/reconcile-dependencies.ts';
import { triggerFiringDependencies } from '../lib/trigger-firing-dependencies.ts';

/**
 * Everything local mode runs in one process: the API's use cases, the trigger firing its bus calls, and the
 * reconcile its ticker runs (whose announcements the bus hands to the firing).
 */
export type LocalDependencies = ReturnType<typeof localDependencies>;

/** The API's dependencies, the trigger function's and the schedule's reconcile, over one base (one table client, one bus, one clock). */
export function localDependencies(
  config: Config,
  options: { logger?: Logger; publisher?: EventPublisher; clock?: Clock } = {},
) {
  const base = baseDependencies(config, options);
  return { ...apiDependencies(base), firing: triggerFiringDependencies(base), reconciler: reconcileDependencies(base) };
}
