import { HookNotFoundError } from '../../core/use-cases/hook-not-found-error.ts';
import type { IntegratedPushes } from '../../core/use-cases/integrated-pushes.ts';
import type { PushService } from '../../core/use-cases/push-service.ts';

const accepted = { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Success', code: 200 };

/** POST /hooks/{token}: a 200 with nothing in it for any delivery the service took; refusals are thrown (404, 400). */
export async function deliverHook(
  pushes: Pick<PushService, 'deliver'>,
  token: string,
  headers: Record<string, string | undefined>,
  body: Buffer,
): Promise<{ json: unknown }> {
  await pushes.deliver(token, headers, body);
  return { json: accepted };
}

/** POST /registry/notifications: 404 where the deployment has no integrated registry, as for a refused secret. */
export async function deliverRegistryNotification(
  pushes: Pick<IntegratedPushes, 'notified'> | undefined,
  headers: Record<string, string | undefined>,
  body: Buffer,
): Promise<{ json: unknown }> {
  if (!pushes) throw new HookNotFoundError();
  await pushes.notified(headers.authorization, body);
  return { json: accepted };
}
