import { AlreadyExistsError, NotFoundError, staleObjectError } from '../../errors.ts';
import type { IndexedTag, StreamKey, StreamStore } from '../../ports.ts';
import type { StreamRecord, StreamState, TagRecord } from '../../streams/types.ts';
import { type DynamoTable, type Item, keys, type Subject } from './dynamo-table.ts';
import { indexedTagFromItem, tagFromItem, tagItem } from './tag-items.ts';

/** StreamStore on the table: a stream and its tags share a prefix of the namespace's partition and are read by one Query. */
export class DynamoStreamStore implements StreamStore {
  private readonly table: DynamoTable;

  constructor(table: DynamoTable) {
    this.table = table;
  }

  async getStream(namespace: string, name: string): Promise<StreamState | undefined> {
    return groupStreams(await this.table.query(keys.inNamespace(namespace).streamAndTags(name)))[0];
  }

  async listStreams(namespace: string): Promise<StreamState[]> {
    return groupStreams(await this.table.query(keys.inNamespace(namespace).allStreams));
  }

  async *streamsFrom(
    namespace: string,
    start: { after: string } | { at: string } | undefined,
    pageSize?: number,
  ): AsyncIterable<StreamState> {
    const inNamespace = keys.inNamespace(namespace);
    const after =
      start === undefined
        ? undefined
        : 'after' in start
          ? inNamespace.afterStream(start.after)
          : inNamespace.beforeStream(start.at);
    // A stream is whole once the next stream's record (or the end) is read: its tags sort between the two.
    let current: Item[] = [];
    for await (const item of this.table.itemsAfter(inNamespace.allStreams, after, pageSize)) {
      if (item.type === 'stream' && current.length) {
        yield* groupStreams(current);
        current = [];
      }
      current.push(item);
    }
    if (current.length) yield* groupStreams(current);
  }

  async createStream(stream: StreamRecord): Promise<void> {
    const written = await this.table.put(streamItem(stream), subjectOf(stream), {
      expression: 'attribute_not_exists(pk)',
    });
    if (!written.ok) throw new AlreadyExistsError('imagestreams', stream.name);
  }

  async updateStream(stream: StreamRecord, expectedVersion: number): Promise<StreamRecord> {
    const next = { ...stream, version: expectedVersion + 1 };
    const written = await this.table.put(streamItem(next), subjectOf(stream), {
      expression: 'version = :v AND uid = :uid',
      values: { ':v': expectedVersion, ':uid': stream.uid },
    });
    if (!written.ok) throw staleObjectError('imagestreams', stream.name);
    return next;
  }

  async nextGeneration(stream: StreamRecord): Promise<number> {
    const written = await this.table.update(
      keys.inNamespace(stream.namespace).stream(stream.name),
      { expression: 'ADD generation :one, version :one', values: { ':one': 1 } },
      subjectOf(stream),
      { expression: 'uid = :uid', values: { ':uid': stream.uid } },
    );
    if (!written.ok) throw new NotFoundError('imagestreams', stream.name);
    return Number(written.attributes?.generation);
  }

  async deleteStream(stream: StreamRecord): Promise<void> {
    const inNamespace = keys.inNamespace(stream.namespace);
    const deleted = await this.table.delete(inNamespace.stream(stream.name), subjectOf(stream), {
      expression: 'uid = :uid',
      values: { ':uid': stream.uid },
    });
    if (!deleted.ok) throw new NotFoundError('imagestreams', stream.name);
    // Tag items of a deleted stream are invisible (their streamUid no longer matches); removing them is housekeeping.
    const tags = (await this.table.query(inNamespace.streamAndTags(stream.name))).filter((i) => i.type === 'tag');
    await this.table.deleteAll(
      tags.map((i) => ({ pk: String(i.pk), sk: String(i.sk) })),
      subjectOf(stream),
    );
  }

  async putTag(stream: StreamKey, tag: TagRecord): Promise<TagRecord> {
    const next = { ...tag, version: tag.version + 1 };
    const created = tag.version === 0;
    const written = await this.table.put(
      tagItem(stream, next),
      tagSubject(stream, tag.name),
      created
        ? { expression: 'attribute_not_exists(pk) OR streamUid <> :uid', values: { ':uid': stream.uid } }
        : { expression: 'version = :v AND streamUid = :uid', values: { ':v': tag.version, ':uid': stream.uid } },
    );
    if (!written.ok) throw staleObjectError('imagestreamtags', `${stream.name}:${tag.name}`);
    return next;
  }

  async deleteTag(stream: StreamKey, tag: TagRecord): Promise<void> {
    const deleted = await this.table.delete(
      keys.inNamespace(stream.namespace).tag(stream.name, tag.name),
      tagSubject(stream, tag.name),
      { expression: 'version = :v AND streamUid = :uid', values: { ':v': tag.version, ':uid': stream.uid } },
    );
    if (!deleted.ok) throw staleObjectError('imagestreamtags', `${stream.name}:${tag.name}`);
  }

  async markPublished(stream: StreamKey, tagName: string, version: number): Promise<boolean> {
    const written = await this.table.update(
      keys.inNamespace(stream.namespace).tag(stream.name, tagName),
      { expression: `REMOVE unpublished, ${keys.outboxAttributes.join(', ')}` },
      tagSubject(stream, tagName),
      { expression: 'version = :v AND streamUid = :uid', values: { ':v': version, ':uid': stream.uid } },
    );
    return written.ok;
  }

  async listFollowers(repository: string, namespace?: string): Promise<IndexedTag[]> {
    return (await this.table.query(keys.followersOf(repository, namespace))).map(indexedTagFromItem);
  }

  async requestPushImport(
    stream: StreamKey,
    tagName: string,
    at: string,
    since: string,
    digest?: string,
  ): Promise<boolean> {
    const key = keys.inNamespace(stream.namespace).tag(stream.name, tagName);
    const subject = tagSubject(stream, tagName);
    for (let attempt = 0; attempt < 2; attempt++) {
      // Claimed when the last push import is done and the tag is not at the digest this push names (a push
      // that names none always asks again), or when none ran, or one started before `since` never finished.
      const claimed = await this.table.update(
        key,
        {
          expression: 'SET pushRequestedAt = :at REMOVE pushDigest, pushAgain, pushDoneAt',
          values: { ':at': at },
        },
        subject,
        {
          expression:
            'streamUid = :uid AND (attribute_not_exists(pushRequestedAt) OR pushRequestedAt > :at OR (attribute_not_exists(pushDoneAt) AND pushRequestedAt < :since) OR (attribute_exists(pushDoneAt) AND NOT #items[0].image = :digest))',
          names: { '#items': 'items' },
          values: { ':uid': stream.uid, ':since': since, ':digest': digest ?? 'none' },
        },
      );
      if (claimed.ok) return true;
      // An import is running: join it, leaving the digest named. A second, different digest (or none) asks for one more check after.
      const running = {
        expression: 'streamUid = :uid AND attribute_not_exists(pushDoneAt)',
        values: { ':uid': stream.uid },
      };
      if (digest !== undefined) {
        const joined = await this.table.update(
          key,
          { expression: 'SET pushDigest = :digest', values: { ':digest': digest } },
          subject,
          {
            expression: `${running.expression} AND (attribute_not_exists(pushDigest) OR pushDigest = :digest)`,
            values: { ...running.values, ':digest': digest },
          },
        );
        if (joined.ok) return false;
      }
      const again = await this.table.update(
        key,
        { expression: 'SET pushAgain = :true', values: { ':true': true } },
        subject,
        running,
      );
      if (again.ok) return false;
      // Not running any more: the tag is at the digest named (nothing to do), or the claim is tried again.
      const current = again.current ?? (await this.table.get(key, subject));
      if (!current || current.streamUid !== stream.uid) return false;
      const items = current.items as { image?: string }[] | undefined;
      if (digest !== undefined && items?.[0]?.image === digest) return false;
    }
    return false;
  }

  async takeJoinedPushes(
    stream: StreamKey,
    tagName: string,
    at: string,
  ): Promise<{ digest: string | undefined; again: boolean }> {
    const taken = await this.table.update(
      keys.inNamespace(stream.namespace).tag(stream.name, tagName),
      { expression: 'SET pushDoneAt = :at REMOVE pushDigest, pushAgain', values: { ':at': at } },
      tagSubject(stream, tagName),
      { expression: 'streamUid = :uid', values: { ':uid': stream.uid } },
      'ALL_OLD',
    );
    const old = taken.ok ? taken.attributes : undefined;
    return { digest: old?.pushDigest as string | undefined, again: old?.pushAgain === true };
  }
}

const subjectOf = (stream: StreamRecord): Subject => ({ kind: 'imagestreams', name: stream.name });
const tagSubject = (stream: StreamKey, tag: string): Subject => ({
  kind: 'imagestreamtags',
  name: `${stream.name}:${tag}`,
});

function streamItem(stream: StreamRecord) {
  return { ...keys.inNamespace(stream.namespace).stream(stream.name), type: 'stream', ...stream };
}

/** Items of one Query, sorted by key: each stream record is followed by its tags. Tags left by a deleted stream are dropped. */
function groupStreams(items: Item[]): StreamState[] {
  const states: StreamState[] = [];
  let current: StreamState | undefined;
  for (const item of items) {
    if (item.type === 'stream') {
      const { pk: _pk, sk: _sk, type: _type, ...stream } = item;
      current = { stream: stream as unknown as StreamRecord, tags: [] };
      states.push(current);
    } else if (
      item.type === 'tag' &&
      current &&
      item.streamUid === current.stream.uid &&
      keys.isTagOf(item, current.stream.name)
    ) {
      current.tags.push(tagFromItem(item));
    }
  }
  return states;
}
