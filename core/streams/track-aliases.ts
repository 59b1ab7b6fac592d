import { addTagEvent, sameImage } from './add-tag-event.ts';
import { isSameStreamTag } from './source-references.ts';
import type { TagEvent, TagRecord } from './types.ts';

export interface TrackedTags {
  /** Every tag, with aliases brought in step with their targets. */
  tags: TagRecord[];
  /** The alias tags that had to change. */
  changed: TagRecord[];
  dropped: TagEvent[];
}

/**
 * Brings every alias (a spec tag tracking another tag of the same stream) to its target's current
 * image (reference §3.4), following chains. Deterministic and idempotent: the alias receives the
 * target's head event as it is, so running it on read or again after a failed write gives the same result.
 */
export function trackAliases(tags: TagRecord[], namespace: string, stream: string, historyLimit: number): TrackedTags {
  const byName = new Map(tags.map((t) => [t.name, t]));
  const changed = new Map<string, TagRecord>();
  const dropped: TagEvent[] = [];
  for (let pass = 0; pass <= tags.length; pass++) {
    let progressed = false;
    for (const tag of byName.values()) {
      const targetName = isSameStreamTag(tag.spec?.from, namespace, stream);
      if (targetName === undefined || targetName === tag.name || tag.spec?.reference) continue;
      const head = byName.get(targetName)?.items[0];
      if (!head || sameImage(tag.items[0], head)) continue;
      const result = addTagEvent(tag, head, historyLimit);
      const updated = { ...tag, items: result.items, conditions: result.conditions };
      byName.set(tag.name, updated);
      changed.set(tag.name, updated);
      dropped.push(...result.dropped);
      progressed = true;
    }
    if (!progressed) break;
  }
  return { tags: [...byName.values()], changed: [...changed.values()], dropped };
}
