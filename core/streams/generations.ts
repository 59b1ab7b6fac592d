import { policyFingerprint } from '../policy/policy-annotations.ts';
import type { TagRecord, TagReference } from './types.ts';

/** The generation a tag's status has caught up with: its head's, or that of its last import failure (reference §3.1). */
export function observedGeneration(tag: Pick<TagRecord, 'items' | 'conditions'>): number {
  const head = tag.items[0]?.generation ?? 0;
  const failure = tag.conditions.find((c) => c.type === 'ImportSuccess')?.generation ?? 0;
  return Math.max(head, failure);
}

/** A tag waits for an import while its spec is newer than what its status has seen. */
export function isPendingImport(tag: Pick<TagRecord, 'spec' | 'items' | 'conditions'>): boolean {
  const spec = tag.spec;
  if (spec?.from?.kind !== 'DockerImage' || spec.reference) return false;
  return (spec.generation ?? 0) > observedGeneration(tag);
}

/**
 * Whether a spec change asks for new content (reference §3.1 tagRefChanged): a different source,
 * `reference` or import mode, a policy tag's policy annotations, or generation 0 sent by the client.
 * Scheduling, insecure, reference policy and other annotations alone do not.
 */
export function isReferenceChange(
  old: TagReference | null | undefined,
  next: TagReference,
  namespace: string,
): boolean {
  if (!old?.from) return next.from !== undefined;
  if (!next.from) return false;
  if (next.generation === 0) return true;
  return (
    old.from.kind !== next.from.kind ||
    old.from.name !== next.from.name ||
    (old.from.namespace || namespace) !== (next.from.namespace || namespace) ||
    Boolean(old.reference) !== Boolean(next.reference) ||
    old.importPolicy?.importMode !== next.importPolicy?.importMode ||
    policyFingerprint(old.annotations) !== policyFingerprint(next.annotations)
  );
}

/** Whether anything in the spec tag differs, ignoring the server-managed generation unless it is a reset to 0. */
export function isSpecChange(old: TagReference | null | undefined, next: TagReference): boolean {
  if (!old) return true;
  if (next.generation === 0) return true;
  const strip = ({ generation: _generation, ...rest }: TagReference) => rest;
  return canonicalJson(strip(old)) !== canonicalJson(strip(next));
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>)
            .filter(([, x]) => x !== undefined)
            .sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}
