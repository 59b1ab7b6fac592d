import type { Dependencies } from './composition-root.ts';

/** What each schedule tick runs for its shard: the scheduled re-import, then the trigger reconcile. */
export async function runSchedule(
  { scheduler, triggers }: Pick<Dependencies, 'scheduler' | 'triggers'>,
  shard: number,
  shards: number,
) {
  const imports = await scheduler.tick({ shard, shards });
  const reconciled = await triggers.reconcile({ shard, shards });
  return { ...imports, triggers: reconciled };
}
