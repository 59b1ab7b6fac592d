import { eventSource, parseBusEvent, triggerFailedType } from '../../events/bus-events.ts';
import type { StreamState } from '../../streams/types.ts';
import { firingDue } from '../../triggers/firing-due.ts';
import { TargetFailure } from '../../triggers/target-failure.ts';
import type { TriggerRecord } from '../../triggers/types.ts';
import { sourceHead } from './source-head.ts';
import type { TriggerPorts } from './trigger-ports.ts';
import { triggerSecretContext } from './trigger-secret-context.ts';

export type FireOutcome = 'fired' | 'failed' | 'paused' | 'no-image' | 'up-to-date' | 'claimed-elsewhere';

type Ports = Pick<
  TriggerPorts,
  'triggers' | 'streams' | 'targets' | 'cipher' | 'publisher' | 'clock' | 'historyLimit' | 'leaseMs'
>;

/**
 * Fires `trigger` if a firing is due (core/triggers/firing-due.ts). Firing is level-driven: the tag is resolved
 * now, compared with the image the trigger last fired for, and the new image is claimed with a conditional write
 * before delivery, so duplicated or concurrent deliveries fire once. `streams` shares stream reads between the
 * triggers of one fan-out.
 */
export async function fireTrigger(
  ports: Ports,
  trigger: TriggerRecord,
  streams = new Map<string, Promise<StreamState | undefined>>(),
  reread = true,
): Promise<FireOutcome> {
  const head = await sourceHead(ports, trigger, streams);
  const at = ports.clock.now();
  const firedAt = at.toISOString();
  const now = () => ports.clock.now().toISOString();
  const due = firingDue(trigger, head, at, ports.leaseMs);
  if (due === 'paused' || due === 'no-image') return due;
  if (!head || (due !== 'new-image' && due !== 'abandoned')) return 'up-to-date';
  if (due === 'abandoned') {
    // Fired for this image, but that firing died before recording an outcome: take its claim over and deliver again.
    if (!(await ports.triggers.reclaimTrigger(trigger, head.image, trigger.status.lastTriggeredAt ?? '', firedAt)))
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
