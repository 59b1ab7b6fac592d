import type { IndexedTag, StreamKey } from '../../ports.ts';
import { followedSource } from '../../references/source-repository.ts';
import type { TagRecord } from '../../streams/types.ts';
import { type Item, type Key, keys } from './dynamo-table.ts';

/** A tag as stored: its record, the stream incarnation it belongs to, and its sparse index entries (schedule, outbox, followed repository). */
export function tagItem(stream: StreamKey, tag: TagRecord): Item & Key {
  const { namespace, name } = stream;
  const followed = followedRepository(tag);
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
    ...(followed ? keys.follower(followed, namespace, name, tag.name) : {}),
  };
}

/**
 * The repository a push there should re-import this tag from: tags that import a DockerImage by tag on
 * the schedule. Pinned digests, references and one-off imports follow nothing.
 */
function followedRepository(tag: TagRecord): string | undefined {
  const spec = tag.spec;
  if (spec?.from?.kind !== 'DockerImage' || spec.reference || !spec.importPolicy?.scheduled) return undefined;
  return followedSource(spec.from.name)?.repository;
}

/** A tag read from an index, with the stream it belongs to. */
export function indexedTagFromItem(item: Item): IndexedTag {
  const { namespace, stream } = keys.tagOf(item);
  return { stream: { namespace, name: stream, uid: String(item.streamUid) }, tag: tagFromItem(item) };
}

/** The tag record of a stored tag item. */
export function tagFromItem(item: Item): TagRecord {
  const {
    name,
    spec,
    items,
    conditions,
    version,
    unpublished,
    dueAt,
    scheduleSlot,
    importAttempts,
    pushRequestedAt,
    pushDigest,
    pushAgain,
    pushDoneAt,
  } = item as unknown as TagRecord;
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
    ...(pushRequestedAt ? { pushRequestedAt } : {}),
    ...(pushDigest ? { pushDigest } : {}),
    ...(pushAgain ? { pushAgain } : {}),
    ...(pushDoneAt ? { pushDoneAt } : {}),
  };
}
