import type { Principal } from '../../access/principal.ts';
import { triggerChangedEvent } from '../../events/bus-events.ts';
import { type ImageTrigger, type TriggerRecord, toImageTrigger } from '../../triggers/types.ts';
import type { TriggerPorts } from './trigger-ports.ts';
import { triggerSecretContext } from './trigger-secret-context.ts';
import { requireSigned, validateTrigger } from './validate-trigger.ts';

/**
 * POST imagetriggers: stores the trigger and, unless told not to fire on create, announces it on the bus for
 * the trigger function to fire (the response never waits for a target). A lost announcement only delays the
 * firing to the next reconcile.
 */
export async function createTrigger(
  ports: Pick<TriggerPorts, 'triggers' | 'authorize' | 'checkWebhookUrl' | 'cipher' | 'publisher' | 'clock' | 'newUid'>,
  principal: Principal,
  namespace: string,
  body: unknown,
): Promise<ImageTrigger> {
  const input = await validateTrigger(ports, principal, namespace, undefined, body);
  requireSigned(input.name, input.target, input.secret);
  const record: TriggerRecord = {
    namespace,
    name: input.name,
    uid: ports.newUid(),
    creationTimestamp: ports.clock.now().toISOString(),
    version: 1,
    from: input.from,
    paused: input.paused,
    fireOnCreate: input.fireOnCreate,
    target: input.target,
    ...(input.secret !== undefined
      ? { sealedSecret: await ports.cipher.seal(input.secret, triggerSecretContext(namespace, input.name)) }
      : {}),
    status: { attempts: 0 },
  };
  await ports.triggers.createTrigger(record);
  if (record.fireOnCreate && !record.paused)
    await ports.publisher.publish([triggerChangedEvent(record, 'created', ports.clock.now())]);
  return toImageTrigger(record);
}
