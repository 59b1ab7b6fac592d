/** What a watch compares of an object: the object as a list answers it, and that answer serialised. */
export interface SnapshotEntry<T> {
  object: T;
  fingerprint: string;
}

/** The objects a list answered at one moment, by namespace and name. */
export type Snapshot<T> = ReadonlyMap<string, SnapshotEntry<T>>;

export interface NamedObject {
  metadata: { name: string; namespace?: string };
}

export interface SnapshotChange<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: T;
}

/** A snapshot of a list's items, in the list's order. */
export function snapshotOf<T extends NamedObject>(objects: readonly T[]): Snapshot<T> {
  return new Map(
    objects.map((object) => [
      `${object.metadata.namespace ?? ''}/${object.metadata.name}`,
      { object, fingerprint: JSON.stringify(object) },
    ]),
  );
}

/**
 * The watch events between two snapshots: ADDED and MODIFIED in the newer list's order, then DELETED (with the
 * object as last seen). Whole answers are compared, not resourceVersions: a stream's status changes (imports)
 * leave its resourceVersion as it was.
 */
export function diffSnapshots<T>(previous: Snapshot<T>, next: Snapshot<T>): SnapshotChange<T>[] {
  const changes: SnapshotChange<T>[] = [];
  for (const [key, entry] of next) {
    const before = previous.get(key);
    if (!before) changes.push({ type: 'ADDED', object: entry.object });
    else if (before.fingerprint !== entry.fingerprint) changes.push({ type: 'MODIFIED', object: entry.object });
  }
  for (const [key, entry] of previous) {
    if (!next.has(key)) changes.push({ type: 'DELETED', object: entry.object });
  }
  return changes;
}
