import type { ServeResult } from '../ports-registry.ts';
import type { IntegratedRegistry } from '../references/integrated-registry.ts';
import type { TagEventCondition, TagReference } from '../streams/types.ts';

/** Why a Local tag's image is not served through the integrated registry. */
export interface NotServed {
  reason: string;
  message: string;
  /** A later import may serve it (throttling, a registry that did not answer). */
  transient: boolean;
}

/** An image server's refusal that a later import will meet again (too large, an unsupported upstream…). */
export function refusedToServe(reason: string, message: string): ServeResult {
  return { ok: false, reason, message, transient: false };
}

/**
 * Whether an import serves the tag's image through the integrated registry: `referencePolicy: Local`
 * tags, when the deployment has one. Without it, Local tags record the source as before.
 */
export function servesLocally(spec: TagReference, registry: IntegratedRegistry | undefined): boolean {
  return registry !== undefined && spec.referencePolicy?.type === 'Local';
}

/**
 * Whether an unchanged image must be served again: not when the tag already records a reference on the
 * integrated registry and no earlier attempt left a LocalReference condition (then it is served already).
 */
export function needsServing(
  registry: IntegratedRegistry,
  current: { reference?: string | undefined; unchanged: boolean; conditions: readonly TagEventCondition[] },
): boolean {
  if (!current.unchanged || current.reference === undefined) return true;
  if (current.conditions.some((c) => c.type === 'LocalReference')) return true;
  return !current.reference.startsWith(`${registry.host}/`);
}

/**
 * The LocalReference condition of a tag whose image was imported but not served: the tag records the
 * source meanwhile. An unchanged refusal keeps its first time, so a scheduled check rewrites nothing.
 */
export function notServedCondition(
  notServed: NotServed,
  previous: readonly TagEventCondition[],
  now: string,
  generation: number,
): TagEventCondition {
  const message = `${notServed.message}; the tag records the source reference instead of one served by the integrated registry`;
  const same = previous.find(
    (c) => c.type === 'LocalReference' && c.reason === notServed.reason && c.message === message,
  );
  return (
    same ?? {
      type: 'LocalReference',
      status: 'False',
      lastTransitionTime: now,
      reason: notServed.reason,
      message,
      generation,
    }
  );
}
