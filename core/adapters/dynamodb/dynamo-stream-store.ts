import { AlreadyExistsError, NotFoundError, staleObjectError } from '../../errors.ts';
import type { StreamKey, StreamStore } from '../../ports.ts';
import type { StreamRecord, StreamState, TagRecord } from '../../streams/types.ts';
import { type DynamoTable, type Item, keys, type Subject } from './dynamo-table.ts';
import { tagFromItem, tagItem } from './tag-items.ts';

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
