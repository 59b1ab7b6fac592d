import { createHash } from 'node:crypto';
import { type NamedObject, type Snapshot, snapshotOf } from './diff-snapshots.ts';

/**
 * The resourceVersion of a list, for watching from it: a digest of what the list answered (items in order).
 * Our objects have versions of their own but there is no namespace-wide revision (it would make every write
 * of a namespace queue on one item), so a watch resumes from a list only when the list still answers the same;
 * otherwise it answers 410 Expired and the client lists again, as client-go's reflector does on its own.
 */
export function snapshotVersion(snapshot: Snapshot<unknown>): string {
  const hash = createHash('sha256');
  for (const [key, { fingerprint }] of snapshot) hash.update(key).update('\n').update(fingerprint).update('\n');
  return hash.digest('base64url').slice(0, 22);
}

/** A list answer with the resourceVersion a watch can resume from (computed over the whole, unpaged list). */
export function withListVersion<L extends { metadata: object; items: readonly NamedObject[] }>(
  list: L,
): L & { metadata: { resourceVersion: string } } {
  return { ...list, metadata: { ...list.metadata, resourceVersion: snapshotVersion(snapshotOf(list.items)) } };
}
