import { parseBusEvent, tagChangedType } from '../../events/bus-events.ts';
import type { FireOutcome } from './fire-trigger.ts';
import { fireTriggers } from './fire-triggers.ts';

/** The fan-out of an `ImageStreamTag Changed` event: the changed tag's triggers only. */
export async function fanOutTagChange(
  ports: Parameters<typeof fireTriggers>[0],
  event: { source?: unknown; detailType?: unknown; detail?: unknown },
): Promise<Record<FireOutcome, number>> {
  const parsed = parseBusEvent(event);
  if (parsed.detailType !== tagChangedType) return fireTriggers(ports, []);
  const { namespace, imageStream, tag } = parsed.detail;
  return fireTriggers(ports, await ports.triggers.triggersFor({ namespace, stream: imageStream, tag }));
}
