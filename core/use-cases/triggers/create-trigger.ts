import type { Principal } from '../../access/principal.ts';
import { triggerChangedEvent } from '../../events/bus-events.ts';
import { tagHead } from '../../streams/tag-head.ts';
import { type ImageTrigger, type TriggerRecord, toImageTrigger } from '../../triggers/types.ts';
import type { TriggerPorts } from './trigger-ports.ts';
import { triggerSecretContext } from './trigger-secret-context.ts';
import { requireSigned, validateTrigger } from './validate-trigger.ts';

/**
 * POST imagetriggers: stores the trigger and, unless told not to fire on create, announces it on the bus for
 * the trigger function to fire (the response never waits for a target). A lost announcement only delays the
 * firing to the next reconcile. Told not to fire on create, it records the tag's current image as skipped,
 * so that neither the reconcile nor a later announcement fires for it.
 */
export async function createTrigger(
  ports: Pick<
    TriggerPorts,
    | 'triggers'
    | 'streams'
    | 'historyLimit'
    | 'authorize'
    | 'checkWebhookUrl'
    | 'cipher'
    | 'publisher'
    | 'clock'
    | 'newUid'
  >,
  principal: Principal,
  namespace: string,
  body: unknown,
): Promise<ImageTrigger> {
  const input = await validateTrigger(ports, principal, namespace, undefined, body);
  requireSigned(input.name, input.target, input.secret);
  // Read before the trigger is stored: a move after this read is a change the trigger fires for.
  const skipped = input.fireOnCreate ? undefined : await currentImage(ports, input.from);
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
    status: { attempts: 0, ...(skipped ? { skippedImage: skipped } : {}) },
  };
  await ports.triggers.createTrigger(record);
  if (record.fireOnCreate && !record.paused)
    await ports.publisher.publish([triggerChangedEvent(record, 'created', ports.clock.now())]);
  return toImageTrigger(record);
}

async function currentImage(
  ports: Pick<TriggerPorts, 'streams' | 'historyLimit'>,
  from: TriggerRecord['from'],
): Promise<string | undefined> {
  const state = await ports.streams.getStream(from.namespace, from.stream);
  return state && tagHead(state, from.tag, ports.historyLimit)?.image;
}
