import type { PushService } from '../../core/use-cases/push-service.ts';

/** POST /hooks/{token}: a 200 with nothing in it for any delivery the service took; refusals are thrown (404, 400). */
export async function deliverHook(
  pushes: PushService,
  token: string,
  headers: Record<string, string | undefined>,
  body: Buffer,
): Promise<{ json: unknown }> {
  await pushes.deliver(token, headers, body);
  return { json: { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Success', code: 200 } };
}
