import { TargetDispatcher } from '../../core/adapters/targets/target-dispatcher.ts';
import { fanOutEvent } from '../../core/use-cases/triggers/fan-out-event.ts';
import { fireTrigger } from '../../core/use-cases/triggers/fire-trigger.ts';
import type { BaseDependencies } from './base-dependencies.ts';
import { bound } from './bound.ts';
import { once } from './once.ts';

/**
 * The use cases that fire triggers, with their targets: the trigger function's (bus events: tag changes, and the
 * triggers the API and the schedule's reconcile announce). The webhook and AWS target adapters load when a
 * trigger first fires.
 */
export function triggerFiringDependencies({
  config,
  store,
  cipher,
  publisher,
  clock,
}: Pick<BaseDependencies, 'config' | 'store' | 'cipher' | 'publisher' | 'clock'>) {
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
  const ports = {
    triggers: store.triggers,
    streams: store.streams,
    targets: new TargetDispatcher({
      webhook,
      aws,
      attempts: config.deliveryAttempts,
      retryDelayMs: config.deliveryRetryDelayMs,
      attemptTimeoutMs: config.webhookTimeoutMs,
    }),
    cipher,
    publisher,
    clock,
    historyLimit: config.historyLimit,
    concurrency: config.triggerConcurrency,
    leaseMs: config.triggerLeaseMs,
  };
  return {
    /** What the trigger function does with one bus event (functions/lib/subscriptions.ts). */
    fanOut: bound(fanOutEvent, ports),
    fire: bound(fireTrigger, ports),
  };
}

export type FiringUseCases = ReturnType<typeof triggerFiringDependencies>;
