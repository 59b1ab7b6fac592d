import { checkWebhookUrl } from '../../core/triggers/webhook-url.ts';
import { createTrigger } from '../../core/use-cases/triggers/create-trigger.ts';
import { deleteTrigger } from '../../core/use-cases/triggers/delete-trigger.ts';
import { getTrigger } from '../../core/use-cases/triggers/get-trigger.ts';
import { listTriggers } from '../../core/use-cases/triggers/list-triggers.ts';
import { replaceTrigger } from '../../core/use-cases/triggers/replace-trigger.ts';
import type { BaseDependencies } from './base-dependencies.ts';
import { bound } from './bound.ts';

/**
 * The API's trigger use cases: store, read and delete triggers. They fire nothing (a created or replaced
 * trigger is announced on the bus, and the trigger function fires it), so the API holds no target, no
 * target SDK and no right over the user's build and deploy resources.
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
  const ports = {
    triggers: store.triggers,
    // Read by a create with fireOnCreate: false, for the image it skips.
    streams: store.streams,
    historyLimit: config.historyLimit,
    authorize,
    cipher,
    publisher,
    clock,
    newUid,
    checkWebhookUrl: (url: string) => checkWebhookUrl(url, allowedPrivateHosts),
  };
  return {
    createTrigger: bound(createTrigger, ports),
    replaceTrigger: bound(replaceTrigger, ports),
    getTrigger: bound(getTrigger, ports),
    listTriggers: bound(listTriggers, ports),
    deleteTrigger: bound(deleteTrigger, ports),
  };
}
