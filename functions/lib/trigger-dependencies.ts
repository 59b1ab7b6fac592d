import { TargetDispatcher } from '../../core/adapters/targets/target-dispatcher.ts';
import { checkWebhookUrl } from '../../core/triggers/webhook-url.ts';
import { createTrigger } from '../../core/use-cases/triggers/create-trigger.ts';
import { deleteTrigger } from '../../core/use-cases/triggers/delete-trigger.ts';
import { fanOutTagChange } from '../../core/use-cases/triggers/fan-out-tag-change.ts';
import { fireTrigger } from '../../core/use-cases/triggers/fire-trigger.ts';
import { getTrigger } from '../../core/use-cases/triggers/get-trigger.ts';
import { listTriggers } from '../../core/use-cases/triggers/list-triggers.ts';
import { reconcileTriggers } from '../../core/use-cases/triggers/reconcile-triggers.ts';
import { replaceTrigger } from '../../core/use-cases/triggers/replace-trigger.ts';
import type { TriggerPorts } from '../../core/use-cases/triggers/trigger-ports.ts';
import type { BaseDependencies } from './base-dependencies.ts';
import { bound } from './bound.ts';
import { once } from './once.ts';

/**
 * The trigger use cases with their targets: the tag-change fan-out's, the schedule's reconcile, and the
 * API's (a created or replaced trigger fires for the tag's current image). The webhook and AWS target
 * adapters load when a trigger first fires.
 */
export function triggerDependencies({
  config,
  store,
  authorize,
  cipher,
  publisher,
  clock,
  newUid,
}: Pick<BaseDependencies, 'config' | 'store' | 'authorize' | 'cipher' | 'publisher' | 'clock' | 'newUid'>) {
  const allowedPrivateHosts = new Set(config.allowedPrivateHosts);
  const webhook = once(
    async () =>
      new (await import('../../core/adapters/targets/webhook-target.ts')).WebhookTarget({
        allowedPrivateHosts,
        timeoutMs: config.webhookTimeoutMs,
      }),
  );
  const aws = once(
    async () =>
      new (await import('../../core/adapters/targets/aws-targets.ts')).AwsTargets({
        region: config.region,
        endpoint: config.awsTargetsEndpoint,
      }),
  );
  const ports: TriggerPorts = {
    triggers: store.triggers,
    streams: store.streams,
    authorize,
    targets: new TargetDispatcher({
      webhook,
      aws,
      attempts: config.deliveryAttempts,
      retryDelayMs: config.deliveryRetryDelayMs,
    }),
    cipher,
    publisher,
    clock,
    newUid,
    historyLimit: config.historyLimit,
    checkWebhookUrl: (url) => checkWebhookUrl(url, allowedPrivateHosts),
    concurrency: config.triggerConcurrency,
    leaseMs: config.triggerLeaseMs,
  };
  return {
    createTrigger: bound(createTrigger, ports),
    replaceTrigger: bound(replaceTrigger, ports),
    getTrigger: bound(getTrigger, ports),
    listTriggers: bound(listTriggers, ports),
    deleteTrigger: bound(deleteTrigger, ports),
    fanOut: bound(fanOutTagChange, ports),
    reconcile: bound(reconcileTriggers, ports),
    fire: bound(fireTrigger, ports),
  };
}
