import type { Principal } from '../../access/principal.ts';
import { NotFoundError, staleObjectError } from '../../errors.ts';
import { triggerChangedEvent } from '../../events/bus-events.ts';
import type { ImageTrigger } from '../../triggers/types.ts';
import { getTrigger } from './get-trigger.ts';
import type { TriggerPorts } from './trigger-ports.ts';
import { triggerSecretContext } from './trigger-secret-context.ts';
import { requireSigned, validateTrigger } from './validate-trigger.ts';

/**
 * PUT imagetriggers/{name}: replaces the spec, then announces the trigger on the bus: the trigger function fires
 * it if the tag's image is one it has not fired for.
 */
export async function replaceTrigger(
  ports: Pick<TriggerPorts, 'triggers' | 'authorize' | 'checkWebhookUrl' | 'cipher' | 'publisher' | 'clock'>,
  principal: Principal,
  namespace: string,
  name: string,
  body: unknown,
): Promise<ImageTrigger> {
  const input = await validateTrigger(ports, principal, namespace, name, body);
  const existing = await ports.triggers.getTrigger(namespace, name);
  if (!existing) throw new NotFoundError('imagetriggers', name);
  if (input.resourceVersion !== undefined && input.resourceVersion !== String(existing.version))
    throw staleObjectError('imagetriggers', name);
  // A PUT without the (write-only) secret keeps the one stored.
  requireSigned(name, input.target, input.secret ?? existing.sealedSecret);
  const sealedSecret =
    input.secret !== undefined
      ? await ports.cipher.seal(input.secret, triggerSecretContext(namespace, name))
      : 'webhook' in input.target
        ? existing.sealedSecret
        : undefined;
  const { sealedSecret: _old, ...rest } = existing;
  const updated = await ports.triggers.replaceTrigger({
    ...rest,
    from: input.from,
    paused: input.paused,
    fireOnCreate: input.fireOnCreate,
    target: input.target,
    ...(sealedSecret ? { sealedSecret } : {}),
  });
  if (!updated.paused) await ports.publisher.publish([triggerChangedEvent(updated, 'replaced', ports.clock.now())]);
  // Read back: the status may have moved since `existing` was read (a firing), and the replace keeps it.
  return getTrigger(ports, namespace, name);
}
