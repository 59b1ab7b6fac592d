import type { Logger } from '@aws-lambda-powertools/logger';
import type { Clock, EventPublisher } from '../../core/ports.ts';
import { baseDependencies } from '../lib/base-dependencies.ts';
import { apiDependencies } from '../lib/composition-root.ts';
import type { Config } from '../lib/config.ts';
import { triggerFiringDependencies } from '../lib/trigger-firing-dependencies.ts';

/** Everything local mode runs in one process: the API's use cases, and the trigger firing its bus and ticker call. */
export type LocalDependencies = ReturnType<typeof localDependencies>;

/** The API's dependencies and the trigger function's, over one base (one table client, one bus, one clock). */
export function localDependencies(
  config: Config,
  options: { logger?: Logger; publisher?: EventPublisher; clock?: Clock } = {},
) {
  const base = baseDependencies(config, options);
  return { ...apiDependencies(base), firing: triggerFiringDependencies(base) };
}
