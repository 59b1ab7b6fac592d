import { ConflictError } from '../errors.ts';
import type { ImageStreamStore } from '../ports.ts';
import type { StreamRecord, TagRecord } from '../streams/types.ts';

/**
 * Writes the tags that differ from what was read, `primary` first, and removes emptied status-only
 * tags. With a primary tag, the others are aliases following it: one that loses a race is left to read
 * repair. Without one, every conflict is the caller's to retry.
 */
export async function persistTags(store: ImageStreamStore, stream: StreamRecord, before: TagRecord[], after: TagRecord[], primary?: string): Promise<TagRecord[]> {
  const previous = new Map(before.map((t) => [t.name, t]));
  const changed = after
    .filter((t) => JSON.stringify(t) !== JSON.stringify(previous.get(t.name)))
    .sort((a, b) => Number(b.name === primary) - Number(a.name === primary));
  const stored: TagRecord[] = [];
  for (const tag of changed) {
    try {
      if (!tag.spec && tag.items.length === 0 && tag.conditions.length === 0) {
        if (tag.version) await store.deleteTag(stream, tag);
      } else {
        stored.push(await store.putTag(stream, tag));
      }
    } catch (error) {
      if (primary === undefined || tag.name === primary || !(error instanceof ConflictError)) throw error;
    }
  }
  return stored;
}
