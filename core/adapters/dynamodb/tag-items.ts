import type { StreamKey } from '../../ports.ts';
import type { TagRecord } from '../../streams/types.ts';
import { type Item, type Key, keys } from './dynamo-table.ts';

/** A tag as stored: its record, the stream incarnation it belongs to, and its sparse index entries (schedule, outbox). */
export function tagItem(stream: StreamKey, tag: TagRecord): Item & Key {
  const { namespace, name } = stream;
  return {
    ...keys.inNamespace(namespace).tag(name, tag.name),
    type: 'tag',
    streamUid: stream.uid,
    ...tag,
    ...(tag.dueAt
      ? keys.due(tag.dueAt, namespace, name, tag.name)
      : tag.scheduleSlot !== undefined
        ? keys.slot(tag.scheduleSlot, namespace, name, tag.name)
        : {}),
    ...(tag.unpublished ? keys.outbox(tag.unpublished.changedAt, namespace, name, tag.name) : {}),
  };
}

/** The tag record of a stored tag item. */
export function tagFromItem(item: Item): TagRecord {
  const { name, spec, items, conditions, version, unpublished, dueAt, scheduleSlot, importAttempts } =
    item as unknown as TagRecord;
  return {
    name,
    spec: spec ?? null,
    items: items ?? [],
    conditions: conditions ?? [],
    version,
    ...(unpublished ? { unpublished } : {}),
    ...(dueAt ? { dueAt } : {}),
    ...(scheduleSlot !== undefined ? { scheduleSlot } : {}),
    ...(importAttempts ? { importAttempts } : {}),
  };
}
