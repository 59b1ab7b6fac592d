import type { TagEvent, TagEventCondition } from './types.ts';

export interface TagHistory {
  items: TagEvent[];
  conditions: TagEventCondition[];
}

export interface AddTagEventResult extends TagHistory {
  changed: boolean;
  /** Oldest entries pushed out by the history limit, newest first. */
  dropped: TagEvent[];
}

/**
 * Records `event` as the tag's current image (reference §3.3). Only the head is compared: the same
 * image never grows history, a partial match updates the head in place, anything else — including a
 * rollback to an older image — becomes a new head. History is kept to `limit` entries.
 */
export function addTagEvent(history: TagHistory, event: TagEvent, limit: number): AddTagEventResult {
  const [head, ...older] = history.items;
  if (!head) return { items: [event], conditions: [], changed: true, dropped: [] };

  const sameRef = head.dockerImageReference === event.dockerImageReference;
  // Unlike OpenShift, two events without an image id (reference tags) are not "the same image":
  // re-pointing a reference tag keeps its previous pointer in history.
  const sameImage = head.image === event.image && (event.image !== '' || sameRef);
  if (sameRef && sameImage && head.generation === event.generation) {
    return { ...history, changed: false, dropped: [] };
  }
  if (sameRef || sameImage) {
    const updated: TagEvent = {
      ...head,
      dockerImageReference: event.dockerImageReference,
      image: event.image,
      generation: event.generation,
    };
    if (event.actor !== undefined) updated.actor = event.actor;
    if (event.signedBy !== undefined) updated.signedBy = event.signedBy;
    return { items: [updated, ...older], conditions: [], changed: true, dropped: [] };
  }
  const items = [event, ...history.items];
  const keep = Math.max(1, limit);
  return { items: items.slice(0, keep), conditions: [], changed: true, dropped: items.slice(keep) };
}

/** True when two events point at the same thing; generation and time do not count. */
export function sameImage(a: TagEvent | undefined, b: TagEvent | undefined): boolean {
  return a?.dockerImageReference === b?.dockerImageReference && a?.image === b?.image;
}
