import { reconcileTriggers } from '../../core/use-cases/triggers/reconcile-triggers.ts';
import type { BaseDependencies } from './base-dependencies.ts';
import { bound } from './bound.ts';

/**
 * The schedule's trigger reconcile: reads the triggers and their source streams and announces the due ones on the
 * bus. It fires nothing, so it holds no target, no target SDK and no right over build and deploy resources.
 */
export function reconcileDependencies({
  config,
  store,
  publisher,
  clock,
}: Pick<BaseDependencies, 'config' | 'store' | 'publisher' | 'clock'>) {
  const ports = {
    triggers: store.triggers,
    streams: store.streams,
    publisher,
    clock,
    historyLimit: config.historyLimit,
    leaseMs: config.triggerLeaseMs,
    concurrency: config.triggerConcurrency,
  };
  return { reconcile: bound(reconcileTriggers, ports) };
}

export type ReconcileUseCases = ReturnType<typeof reconcileDependencies>;
