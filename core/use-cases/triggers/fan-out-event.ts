import { parseBusEvent, tagChangedType, triggerChangedType } from '../../events/bus-events.ts';
import type { FireOutcome } from './fire-trigger.ts';
import { fireTriggers } from './fire-triggers.ts';

/**
 * The trigger function's work for one bus event: an `ImageStreamTag Changed` fires the changed tag's triggers,
 * an `ImageTrigger Changed` fires that trigger. Both are hints: each trigger is read and fired as it is now.
 */
export async function fanOutEvent(
  ports: Parameters<typeof fireTriggers>[0],
  event: { source?: unknown; detailType?: unknown; detail?: unknown },
): Promise<Record<FireOutcome, number>> {
  const parsed = parseBusEvent(event);
  if (parsed.detailType === tagChangedType) {
    const { namespace, imageStream, tag } = parsed.detail;
    return fireTriggers(ports, await ports.triggers.triggersFor({ namespace, stream: imageStream, tag }));
  }
  if (parsed.detailType === triggerChangedType) {
    const { namespace, trigger, uid } = parsed.detail;
    const current = await ports.triggers.getTrigger(namespace, trigger);
    // Deleted since, or deleted and created again under the same name: the new one is not this event's to fire.
    return fireTriggers(ports, current?.uid === uid ? [current] : []);
  }
  return fireTriggers(ports, []);
}
