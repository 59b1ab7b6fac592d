import type { Dependencies } from './composition-root.ts';
import type { ReconcileUseCases } from './reconcile-dependencies.ts';

/**
 * What each schedule tick runs for its shard: the scheduled re-import, then the trigger reconcile, which announces
 * the due triggers for the trigger function to fire (it fires none itself).
 */
export async function runSchedule(
  { scheduler, reconciler }: Pick<Dependencies, 'scheduler'> & { reconciler: ReconcileUseCases },
  shard: number,
  shards: number,
) {
  const imports = await scheduler.tick({ shard, shards });
  const triggers = await reconciler.reconcile({ shard, shards });
  return { ...imports, triggers };
}
