import { policyAnnotation } from '../policy/policy-annotations.ts';
import { parseDockerImageReference } from '../references/docker-image-reference.ts';
import { registryReference, repositoryLabel } from '../references/registry-reference.ts';
import { isPendingImport } from '../streams/generations.ts';
import type { TagRecord } from '../streams/types.ts';

/** Scheduled tags are spread over this many slots; each tick of the cycle checks its share of them. */
export const scheduleSlots = 60;

export interface ScheduleOptions {
  /** Seconds in which every scheduled tag is checked once. */
  intervalSeconds: number;
  /** First retry delay after a transient failure; it doubles per failure in a row, up to the interval. */
  retryBaseSeconds: number;
}

/** A stable slot for a tag (FNV-1a of its name), so that it is checked at the same point of every cycle. */
export function slotOf(namespace: string, stream: string, tag: string): number {
  return hashSlot(`${namespace}/${stream}:${tag}`);
}

/**
 * Policy tags (imagestreams.dev/policy) take the slot of the repository they follow, so that every tag
 * following it, in any stream or namespace, is checked in the same tick and shares one tag listing.
 */
function policySlotOf(from: string): number | undefined {
  try {
    const ref = parseDockerImageReference(from);
    if (ref.tag || ref.id) return undefined;
    return hashSlot(repositoryLabel(registryReference(ref)));
  } catch {
    return undefined;
  }
}

function hashSlot(key: string): number {
  let hash = 0x811c9dc5;
  for (const char of key) {
    hash ^= char.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % scheduleSlots;
}

/**
 * When the scheduler should look at a tag: now when it waits for an import, after a backoff when its
 * last import failed for a transient reason, and in its slot of every cycle when it is scheduled.
 */
export function scheduleOf(
  namespace: string,
  stream: string,
  tag: TagRecord,
  now: Date,
  options: ScheduleOptions,
): Pick<TagRecord, 'dueAt' | 'scheduleSlot'> {
  const spec = tag.spec;
  if (spec?.from?.kind !== 'DockerImage' || spec.reference) return {};
  const policySlot = spec.annotations?.[policyAnnotation] === undefined ? undefined : policySlotOf(spec.from.name);
  const slot = spec.importPolicy?.scheduled ? { scheduleSlot: policySlot ?? slotOf(namespace, stream, tag.name) } : {};
  if (isPendingImport(tag)) return { ...slot, dueAt: now.toISOString() };
  // A Local tag whose image was not served (LocalReference) is retried like a failed import.
  const failure = tag.conditions.find((c) => c.status === 'False');
  // importAttempts is kept only while the last failure was transient (recordImport reads ImportFailure.transient).
  if (failure && tag.importAttempts) {
    const attempts = Math.max(1, tag.importAttempts);
    const delay = Math.min(options.retryBaseSeconds * 2 ** (attempts - 1), options.intervalSeconds);
    return { ...slot, dueAt: new Date(Date.parse(failure.lastTransitionTime) + delay * 1000).toISOString() };
  }
  return slot;
}

/** The slots a tick checks: the tick's share of the cycle, and of that the part of this shard. */
export function slotsForTick(tick: number, ticksPerCycle: number, shard: number, shards: number): number[] {
  const group = ((tick % ticksPerCycle) + ticksPerCycle) % ticksPerCycle;
  const slots: number[] = [];
  for (let slot = 0; slot < scheduleSlots; slot++) {
    if (Math.floor((slot * ticksPerCycle) / scheduleSlots) === group && slot % shards === shard) slots.push(slot);
  }
  return slots;
}

/** A tag's place within its slot: the scheduler's index sorts by it and a resumed slot continues from it. */
export function slotKey(namespace: string, stream: string, tag: string): string {
  return `${namespace}|${stream}|${tag}`;
}

/** Where a shard left a slot unfinished: the slot, and the key of its first unchecked tag. */
export interface SlotCursor {
  slot: number;
  from: string;
}
