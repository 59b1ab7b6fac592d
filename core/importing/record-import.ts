import { addTagEvent } from '../streams/add-tag-event.ts';
import type { TagEvent, TagEventCondition, TagRecord, TagReference } from '../streams/types.ts';
import type { ImportReason } from './import-failure.ts';

export type ImportOutcome =
  | { ok: true; image: string; dockerImageReference: string; signedBy?: string | undefined }
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
    const changed = result.changed || base.conditions.length > 0 || !tag?.spec || base.importAttempts !== undefined;
    const { importAttempts: _attempts, ...rest } = base;
    return {
      tag: { ...rest, items: result.items, conditions: [] },
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
