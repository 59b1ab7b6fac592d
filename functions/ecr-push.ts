import type { EventBridgeEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { lazy } from '../core/lazy.ts';
import { baseDependencies } from './lib/base-dependencies.ts';
import type { Dependencies } from './lib/composition-root.ts';
import { loadConfig } from './lib/config.ts';
import { importDependencies } from './lib/import-dependencies.ts';

/** The part of an `ECR Image Action` event a push import needs; anything else is not ours to act on. */
const ecrPush = lazy(() =>
  z.object({
    account: z.string().check(z.regex(/^\d{12}$/)),
    region: z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d$/)),
    detail: z.object({
      'action-type': z.literal('PUSH'),
      result: z.literal('SUCCESS'),
      'repository-name': z.string().check(z.minLength(1), z.maxLength(256)),
      'image-tag': z.optional(z.string()),
      'image-digest': z.optional(z.string()),
    }),
  }),
);

/** The handler for one deployment's dependencies; local mode builds it with its own. */
export function create({ pushes, logger }: Pick<Dependencies, 'pushes' | 'logger'>) {
  return async (event: unknown) => {
    const parsed = ecrPush().safeParse(event);
    if (!parsed.success) {
      logger.warn('not an ECR push: ignored');
      return { imported: 0, joined: 0, matched: 0 };
    }
    const { account, region, detail } = parsed.data;
    const outcome = await pushes.pushedToEcr({
      account,
      region,
      repository: detail['repository-name'],
      ...(detail['image-tag'] ? { tag: detail['image-tag'] } : {}),
      ...(detail['image-digest'] ? { digest: detail['image-digest'] } : {}),
    });
    logger.info('ECR push handled', { repository: detail['repository-name'], ...outcome });
    return outcome;
  };
}

/** This function's share of the composition: pushes, which import; it never serves the API or fires a trigger. */
function deployed() {
  const base = baseDependencies(loadConfig());
  return create({ pushes: importDependencies(base).pushes, logger: base.logger });
}
let instance: ReturnType<typeof create> | undefined;

/** Subscribed to ECR's pushes on the default bus (functions/lib/subscriptions.ts): re-imports the tags that follow the pushed repository. */
export const handler = (event: EventBridgeEvent<'ECR Image Action', unknown>) => (instance ??= deployed())(event);
