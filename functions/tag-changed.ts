import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { baseDependencies } from './lib/base-dependencies.ts';
import type { Dependencies } from './lib/composition-root.ts';
import { loadConfig } from './lib/config.ts';
import { type FiringUseCases, triggerFiringDependencies } from './lib/trigger-firing-dependencies.ts';

/** The handler for one deployment's dependencies; local mode builds it with its own. */
export function create({ firing, logger }: Pick<Dependencies, 'logger'> & { firing: Pick<FiringUseCases, 'fanOut'> }) {
  return async (event: Pick<EventBridgeEvent<string, unknown>, 'source' | 'detail-type' | 'detail'>) => {
    const outcome = await firing.fanOut({
      source: event.source,
      detailType: event['detail-type'],
      detail: event.detail,
    });
    logger.info('event fanned out', { detailType: event['detail-type'], ...outcome });
    return outcome;
  };
}

/**
 * The deployed handler, built on first use so that importing this module (local mode does) reads no
 * configuration. It composes only the trigger firing: this function never imports an image.
 */
function deployed() {
  const base = baseDependencies(loadConfig());
  return middy(create({ firing: triggerFiringDependencies(base), logger: base.logger })).use(
    injectLambdaContext(base.logger, { resetKeys: true }),
  );
}
let instance: ReturnType<typeof deployed> | undefined;

/**
 * Subscribed to `ImageStreamTag Changed` and `ImageTrigger Changed` (functions/lib/subscriptions.ts): fires the
 * changed tag's triggers, or the created or replaced trigger.
 */
export const handler = (event: EventBridgeEvent<string, unknown>, context: Context) =>
  (instance ??= deployed())(event, context);
