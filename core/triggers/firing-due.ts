import type { TagEvent } from '../streams/types.ts';
import { skipsImage } from './skips-image.ts';
import type { TriggerRecord } from './types.ts';

/**
 * Whether a trigger has a firing due, and why or why not: `new-image` and `abandoned` are due, the rest are not.
 * `abandoned`: the trigger fired for this image, but that firing never recorded an outcome (its deliverer died) and
 * its lease has lapsed, so it is delivered again.
 */
export type FiringDue = 'new-image' | 'abandoned' | 'paused' | 'no-image' | 'skipped' | 'up-to-date';

/**
 * The one decision of whether `trigger` fires for its tag's `head` (core/streams/tag-head.ts) at `now`: what the
 * trigger function acts on before it claims, and what the reconcile announces.
 */
export function firingDue(
  trigger: Pick<TriggerRecord, 'paused' | 'status'>,
  head: Pick<TagEvent, 'image'> | undefined,
  now: Date,
  leaseMs: number,
): FiringDue {
  if (trigger.paused) return 'paused';
  if (!head) return 'no-image';
  // Created with fireOnCreate: false while the tag pointed here: not a change the trigger waits for.
  if (skipsImage(trigger.status, head.image)) return 'skipped';
  if (head.image !== trigger.status.lastTriggeredImage) return 'new-image';
  const { lastTriggeredAt = '', lastSuccessAt = '', lastError } = trigger.status;
  const abandoned =
    !lastError && lastSuccessAt < lastTriggeredAt && now.getTime() - Date.parse(lastTriggeredAt) > leaseMs;
  return abandoned ? 'abandoned' : 'up-to-date';
}
