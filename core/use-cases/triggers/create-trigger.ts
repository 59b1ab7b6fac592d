import type { Principal } from '../../access/principal.ts';
import type { ImageTrigger, TriggerRecord } from '../../triggers/types.ts';
import { fireTrigger } from './fire-trigger.ts';
import { getTrigger } from './get-trigger.ts';
import type { TriggerPorts } from './trigger-ports.ts';
import { triggerSecretContext } from './trigger-secret-context.ts';
import { requireSigned, validateTrigger } from './validate-trigger.ts';

/** POST imagetriggers: stores the trigger and, unless told not to, fires it for the tag's current image. */
export async function createTrigger(
  ports: Omit<TriggerPorts, 'concurrency'>,
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
  if (record.fireOnCreate) await fireTrigger(ports, record);
  return getTrigger(ports, namespace, record.name);
}
