import { eventSource, parseBusEvent, triggerFailedType } from '../../events/bus-events.ts';
import { tagHead } from '../../streams/tag-head.ts';
import type { StreamState } from '../../streams/types.ts';
import { skipsImage } from '../../triggers/skips-image.ts';
import { TargetFailure } from '../../triggers/target-failure.ts';
import type { TriggerRecord } from '../../triggers/types.ts';
import type { TriggerPorts } from './trigger-ports.ts';
import { triggerSecretContext } from './trigger-secret-context.ts';

export type FireOutcome = 'fired' | 'failed' | 'paused' | 'no-image' | 'up-to-date' | 'claimed-elsewhere';

type Ports = Pick<
  TriggerPorts,
  'triggers' | 'streams' | 'targets' | 'cipher' | 'publisher' | 'clock' | 'historyLimit' | 'leaseMs'
>;

/**
 * Fires `trigger` if its tag now points at an image it has not fired for. Firing is level-driven: the tag
 * is resolved now, compared with the image the trigger last fired for, and the new image is claimed with
 * a conditional write before delivery, so duplicated or concurrent deliveries fire once. `streams` shares
 * stream reads between the triggers of one fan-out.
 */
export async function fireTrigger(
  ports: Ports,
  trigger: TriggerRecord,
  streams = new Map<string, Promise<StreamState | undefined>>(),
  reread = true,
): Promise<FireOutcome> {
  if (trigger.paused) return 'paused';
  const now = () => ports.clock.now().toISOString();
  const key = `${trigger.from.namespace}/${trigger.from.stream}`;
  if (!streams.has(key)) streams.set(key, ports.streams.getStream(trigger.from.namespace, trigger.from.stream));
  const state = await streams.get(key);
  if (!state) return 'no-image';
  const head = tagHead(state, trigger.from.tag, ports.historyLimit);
  if (!head) return 'no-image';
  // Created with fireOnCreate: false while the tag pointed here: not a change the trigger waits for.
  if (skipsImage(trigger.status, head.image)) return 'up-to-date';
  const firedAt = new Date(ports.clock.now()).toISOString();
  if (head.image === trigger.status.lastTriggeredImage) {
    // Fired for this image already, unless that firing died before recording an outcome: then, after a lease, deliver again.
    const { lastTriggeredAt = '', lastSuccessAt = '', lastError } = trigger.status;
    const abandoned =
      !lastError &&
      lastSuccessAt < lastTriggeredAt &&
      Date.parse(firedAt) - Date.parse(lastTriggeredAt) > ports.leaseMs;
    if (!abandoned || !(await ports.triggers.reclaimTrigger(trigger, head.image, lastTriggeredAt, firedAt)))
      return 'up-to-date';
  } else {
    const claim = await ports.triggers.claimTrigger(trigger, head.image, firedAt, head.actor ?? 'unknown');
    if (!claim.claimed) {
      // Claimed by another delivery, or our copy of the trigger is stale (an index read, an edit since): the failed
      // claim answers the trigger as it is now; try once more with it.
      const fresh = reread ? claim.current : undefined;
      return fresh && (fresh.uid !== trigger.uid || fresh.version !== trigger.version)
        ? fireTrigger(ports, fresh, streams, false)
        : 'claimed-elsewhere';
    }
  }
  const firing = {
    trigger,
    image: head.image,
    pullSpec: head.dockerImageReference,
    firedAt,
    id: `${trigger.uid}/${head.image}`,
  };
  const secret = trigger.sealedSecret
    ? await ports.cipher.open(trigger.sealedSecret, triggerSecretContext(trigger.namespace, trigger.name))
    : undefined;
  try {
    const attempts = await ports.targets.deliver(firing, secret);
    await ports.triggers.recordTriggerResult(trigger, head.image, {
      lastAttemptAt: now(),
      attempts,
      lastSuccessAt: now(),
    });
    return 'fired';
  } catch (error) {
    const failure =
      error instanceof TargetFailure ? error : new TargetFailure((error as Error).message, false, { cause: error });
    await ports.triggers.recordTriggerResult(trigger, head.image, {
      lastAttemptAt: now(),
      attempts: failure.attempts,
      lastError: failure.message,
    });
    await ports.publisher.publish([
      parseBusEvent({
        source: eventSource,
        detailType: triggerFailedType,
        detail: {
          namespace: trigger.namespace,
          trigger: trigger.name,
          from: { namespace: trigger.from.namespace, imageStream: trigger.from.stream, tag: trigger.from.tag },
          image: head.image,
          error: failure.message,
          attempts: failure.attempts,
          failedAt: now(),
        },
      }),
    ]);
    return 'failed';
  }
}
