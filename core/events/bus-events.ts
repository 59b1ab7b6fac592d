import * as z from 'zod/mini';
import { lazy } from '../lazy.ts';
import { sourceTagOf } from '../policy/source-tag.ts';
import type { StreamRecord, TagChange, TagEventCondition, TagRecord } from '../streams/types.ts';

export const eventSource = 'imagestreams';
export const tagChangedType = 'ImageStreamTag Changed';
export const importFailedType = 'ImageStreamTag Import Failed';

const pullSpec = () => z.object({ image: z.string(), dockerImageReference: z.string() });

/** `ImageStreamTag Changed`: a tag's current image moved. Consumers re-read the tag; the event is a hint. */
export const tagChangedDetail = lazy(() =>
  z.object({
    namespace: z.string(),
    imageStream: z.string(),
    tag: z.string(),
    image: z.string(),
    dockerImageReference: z.string(),
    generation: z.number(),
    previous: z.nullable(pullSpec()),
    cause: z.enum(['tag', 'rollback', 'alias', 'import', 'scheduled-import', 'push']),
    actor: z.string(),
    changedAt: z.string(),
    /** For a policy tag (imagestreams.dev/policy): the repository's tag that won. */
    sourceTag: z.optional(z.string()),
    /** For a tag that verifies signatures (imagestreams.dev/verify): who signed the new image. */
    signedBy: z.optional(z.string()),
  }),
);

/** `ImageStreamTag Import Failed`: an import did not move the tag; for alerting. */
export const importFailedDetail = lazy(() =>
  z.object({
    namespace: z.string(),
    imageStream: z.string(),
    tag: z.string(),
    from: z.string(),
    reason: z.string(),
    message: z.string(),
    generation: z.number(),
    failedAt: z.string(),
    actor: z.string(),
  }),
);

export const triggerFailedType = 'Trigger Failed';

/** `Trigger Failed`: a trigger could not deliver to its target; it will not try this image again. */
export const triggerFailedDetail = lazy(() =>
  z.object({
    namespace: z.string(),
    trigger: z.string(),
    from: z.object({ namespace: z.string(), imageStream: z.string(), tag: z.string() }),
    image: z.string(),
    error: z.string(),
    attempts: z.number(),
    failedAt: z.string(),
  }),
);

export const triggerChangedType = 'ImageTrigger Changed';

/**
 * `ImageTrigger Changed`: a trigger may have an image to fire for: the API created (with fireOnCreate) or replaced
 * it, or the schedule's reconcile found a firing due (its tag moved while an event was lost, or a firing's deliverer
 * died). The trigger function re-reads it by name and fires it if it is still the same object (`uid`).
 */
export const triggerChangedDetail = lazy(() =>
  z.object({
    namespace: z.string(),
    trigger: z.string(),
    uid: z.string(),
    change: z.enum(['created', 'replaced', 'reconciled']),
    changedAt: z.string(),
  }),
);

export type TagChangedDetail = z.infer<ReturnType<typeof tagChangedDetail>>;
export type ImportFailedDetail = z.infer<ReturnType<typeof importFailedDetail>>;
export type TriggerChangedDetail = z.infer<ReturnType<typeof triggerChangedDetail>>;

export type BusEvent =
  | { source: typeof eventSource; detailType: typeof tagChangedType; detail: TagChangedDetail }
  | { source: typeof eventSource; detailType: typeof importFailedType; detail: ImportFailedDetail }
  | {
      source: typeof eventSource;
      detailType: typeof triggerFailedType;
      detail: z.infer<ReturnType<typeof triggerFailedDetail>>;
    }
  | {
      source: typeof eventSource;
      detailType: typeof triggerChangedType;
      detail: TriggerChangedDetail;
    };

/** Checks an event against its schema, on publish and on consume alike; throws on a malformed one. */
export function parseBusEvent(event: { source?: unknown; detailType?: unknown; detail?: unknown }): BusEvent {
  if (event.source !== eventSource)
    throw new Error(`not an imagestreams event: source ${JSON.stringify(event.source)}`);
  if (event.detailType === tagChangedType)
    return { source: eventSource, detailType: tagChangedType, detail: tagChangedDetail().parse(event.detail) };
  if (event.detailType === importFailedType)
    return { source: eventSource, detailType: importFailedType, detail: importFailedDetail().parse(event.detail) };
  if (event.detailType === triggerFailedType)
    return { source: eventSource, detailType: triggerFailedType, detail: triggerFailedDetail().parse(event.detail) };
  if (event.detailType === triggerChangedType)
    return { source: eventSource, detailType: triggerChangedType, detail: triggerChangedDetail().parse(event.detail) };
  throw new Error(`unknown imagestreams event type ${JSON.stringify(event.detailType)}`);
}

/** The event announcing a tag's unpublished change. */
export function tagChangedEvent(
  stream: Pick<StreamRecord, 'namespace' | 'name'>,
  tag: TagRecord & { unpublished: TagChange },
): BusEvent {
  const head = tag.items[0];
  const sourceTag = sourceTagOf(tag.spec, head);
  return parseBusEvent({
    source: eventSource,
    detailType: tagChangedType,
    detail: {
      namespace: stream.namespace,
      imageStream: stream.name,
      tag: tag.name,
      image: head?.image ?? '',
      dockerImageReference: head?.dockerImageReference ?? '',
      generation: head?.generation ?? 0,
      ...tag.unpublished,
      ...(sourceTag !== undefined ? { sourceTag } : {}),
      ...(head?.signedBy !== undefined ? { signedBy: head.signedBy } : {}),
    },
  });
}

export function importFailedEvent(
  stream: Pick<StreamRecord, 'namespace' | 'name'>,
  tag: TagRecord,
  condition: TagEventCondition,
  actor: string,
): BusEvent {
  return parseBusEvent({
    source: eventSource,
    detailType: importFailedType,
    detail: {
      namespace: stream.namespace,
      imageStream: stream.name,
      tag: tag.name,
      from: tag.spec?.from?.name ?? '',
      reason: condition.reason ?? '',
      message: condition.message ?? '',
      generation: condition.generation,
      failedAt: condition.lastTransitionTime,
      actor,
    },
  });
}

/**
 * The event asking the trigger function to fire a trigger: one the API created or replaced (the API never fires one
 * itself), or one the reconcile found due (the schedule fires nothing itself either).
 */
export function triggerChangedEvent(
  trigger: { namespace: string; name: string; uid: string },
  change: TriggerChangedDetail['change'],
  changedAt: Date,
): BusEvent {
  return parseBusEvent({
    source: eventSource,
    detailType: triggerChangedType,
    detail: {
      namespace: trigger.namespace,
      trigger: trigger.name,
      uid: trigger.uid,
      change,
      changedAt: changedAt.toISOString(),
    },
  });
}
