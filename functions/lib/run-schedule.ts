import type { Dependencies } from './composition-root.ts';
import type { FiringUseCases } from './trigger-firing-dependencies.ts';

/** What each schedule tick runs for its shard: the scheduled re-import, then the trigger reconcile. */
export async function runSchedule(
  { scheduler, firing }: Pick<Dependencies, 'scheduler'> & { firing: Pick<FiringUseCases, 'reconcile'> },
  shard: number,
  shards: number,
) {
  const imports = await scheduler.tick({ shard, shards });
  const reconciled = await firing.reconcile({ shard, shards });
  return { ...imports, triggers: reconciled };
}
