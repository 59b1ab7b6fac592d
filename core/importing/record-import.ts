import { addTagEvent } from '../streams/add-tag-event.ts';
import type { TagEvent, TagEventCondition, TagRecord, TagReference } from '../streams/types.ts';
import type { ImportReason } from './import-failure.ts';
import { type NotServed, notServedCondition } from './local-reference.ts';

export type ImportOutcome =
  | {
      ok: true;
      image: string;
      dockerImageReference: string;
      signedBy?: string | undefined;
      /** A Local tag whose image the integrated registry does not serve: the reference is the source's. */
      notServed?: NotServed | undefined;
    }
  | {
      ok: false;
      reason: ImportReason;
      message: string /** Whether a later try may succeed (ImportFailure.transient). */;
      transient: boolean;
    };

export interface RecordContext {
  /** The generation the import answers: the spec tag's for an import on tag, the next stream generation for an ImageStreamImport. */
  generation: number;
  now: string;
  actor: string;
  historyLimit: number;
}

export interface RecordedImport {
  tag: TagRecord;
  changed: boolean;
  /** The new current image, when it changed. */
  event?: TagEvent;
  dropped: TagEvent[];
}

/**
 * Writes an import's result into a tag (reference §5.4). Success records a history event through the
 * history rules and clears the conditions; failure leaves the current image in place and records an
 * ImportSuccess=False condition whose time is that of this attempt (OpenShift keeps the first, which
 * hides that it is still failing).
 */
export function recordImport(
  tag: TagRecord | undefined,
  spec: TagReference,
  outcome: ImportOutcome,
  ctx: RecordContext,
): RecordedImport {
  const base: TagRecord = tag
    ? { ...tag, spec: tag.spec ?? spec }
    : { name: spec.name, spec, items: [], conditions: [], version: 0 };
  if (outcome.ok) {
    const event: TagEvent = {
      created: ctx.now,
      dockerImageReference: outcome.dockerImageReference,
      image: outcome.image,
      generation: ctx.generation,
      actor: ctx.actor,
      ...(outcome.signedBy ? { signedBy: outcome.signedBy } : {}),
    };
    const result = addTagEvent(base, event, ctx.historyLimit);
    const conditions = outcome.notServed
      ? [notServedCondition(outcome.notServed, base.conditions, ctx.now, ctx.generation)]
      : [];
    // A transient refusal counts as a failed try: the scheduler retries the tag early while this is set.
    const attempts = outcome.notServed?.transient ? (base.importAttempts ?? 0) + 1 : undefined;
    const changed =
      result.changed ||
      JSON.stringify(conditions) !== JSON.stringify(base.conditions) ||
      !tag?.spec ||
      base.importAttempts !== attempts;
    const { importAttempts: _attempts, ...rest } = base;
    return {
      tag: { ...rest, items: result.items, conditions, ...(attempts ? { importAttempts: attempts } : {}) },
      changed,
      ...(result.changed && result.items[0]?.image !== tag?.items[0]?.image
        ? { event: result.items[0] as TagEvent }
        : {}),
      dropped: result.dropped,
    };
  }
  const condition: TagEventCondition = {
    type: 'ImportSuccess',
    status: 'False',
    lastTransitionTime: ctx.now,
    reason: outcome.reason,
    message: outcome.message || 'unknown error prevented import',
    generation: ctx.generation,
  };
  // Counted only for transient failures: the scheduler retries a tag early only while this is set.
  const attempts = outcome.transient ? (base.importAttempts ?? 0) + 1 : undefined;
  const { importAttempts: _attempts, ...rest } = base;
  return {
    tag: { ...rest, conditions: [condition], ...(attempts ? { importAttempts: attempts } : {}) },
    changed: true,
    dropped: [],
  };
}
