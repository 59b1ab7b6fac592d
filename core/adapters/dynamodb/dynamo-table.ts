// The one table, as every store adapter sees it: key encoding and decoding, paged queries, conditional writes
// answered with the current item, and the translation of every SDK error into a domain error.
//
// Key layout (primary key pk / sk):
//   NS#<namespace> / IS#<stream>#              a stream record
//   NS#<namespace> / IS#<stream>#TAG#<tag>     one item per tag: spec entry, history, conditions
//   NS#<namespace> / SECRET#<name>             registry credentials, sealed
//   NS#<namespace> / RB#<name>                 a role binding
//   NS#<namespace> / TRIGGER#<name>            an image trigger
//   NS#<namespace> / RECEIVER#<name>           a registry push receiver
//   NAMESPACES / <namespace>                   namespaces created through the API (outside their own partition)
//   IMAGE#<digest> / IMAGE                     image metadata, written once
//   IMAGE#<digest> / VERIFY#<policy hash>      a signature verification that passed (issue 16)
//   SCHEDULER#<shard> / SCHEDULER#<shard>      where a scheduler shard left off
// Every record that belongs to a namespace is in the namespace's partition, whatever its kind: the key of a
// namespaced record can only be built through `inNamespace`, and "is this namespace in use" is one Query of that
// partition. The namespace record itself is elsewhere, so a namespace created empty is not in use.
//
// Sparse indexes (only the items that carry the attributes are in them):
//   gsi1  DUE / <dueAt>|<ns>|<stream>|<tag>     tags due for an import
//         SLOT#<n> / <ns>|<stream>|<tag>        scheduled tags, by slot of the re-import cycle
//   gsi2  OUTBOX / <changedAt>|<ns>|<stream>|<tag>   tags with an unannounced change
//         TRIGGERS / <ns>|<name>                every trigger, for the reconcile
//         HOOK#<sha256 of token> / <ns>|<name>  a receiver, by the digest of its webhook token
//   gsi3  SRC#<ns>|<stream>|<tag> / <ns>|<name>   the triggers of a source tag
//         REPO#<repository> / <ns>|<stream>|<tag> scheduled tags, by the normalised repository they import from
// Names and tags cannot contain '#' or '|', so a prefix never matches a neighbour's items.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ImageStreamsError, ObjectTooLargeError, StoreFailureError, StoreThrottledError } from '../../errors.ts';

export type Item = Record<string, unknown>;

export interface Key {
  pk: string;
  sk: string;
}

/** The items of one partition of the table, or of one index, whose sort key starts with `prefix` (or is at most `upTo`). */
export interface Range {
  index?: 'gsi1' | 'gsi2' | 'gsi3';
  pk: string;
  prefix?: string;
  upTo?: string;
}

/** What a stored object is called in messages: its API kind and name. */
export interface Subject {
  kind: string;
  name: string;
}

/** A conditional write either happened (with the attributes asked for) or found the item as it is now. */
export type WriteResult = { ok: true; attributes: Item | undefined } | { ok: false; current: Item | undefined };

const namespacePrefix = 'NS#';
const streamPrefix = 'IS#';
const tagInfix = '#TAG#';

/** The keys of one namespace's records: all in the namespace's partition. */
function inNamespace(namespace: string) {
  const pk = `${namespacePrefix}${namespace}`;
  return {
    /** Everything of the namespace, of any kind. */
    everything: { pk } as Range,
    stream: (name: string): Key => ({ pk, sk: `${streamPrefix}${name}#` }),
    /** The stream record and its tags. */
    streamAndTags: (name: string): Range => ({ pk, prefix: `${streamPrefix}${name}#` }),
    allStreams: { pk, prefix: streamPrefix } as Range,
    // Where a list of streams resumes: '#' ends a stream's name in its keys; '"' sorts just before it and '$'
    // just after, and every character a stream name may hold sorts after '$'. So a page ends on whole streams.
    /** The sort key just after stream `name` and all its tags. */
    afterStream: (name: string) => `${streamPrefix}${name}$`,
    /** The sort key just before stream `name`'s record. */
    beforeStream: (name: string) => `${streamPrefix}${name}"`,
    tag: (stream: string, tag: string): Key => ({ pk, sk: `${streamPrefix}${stream}${tagInfix}${tag}` }),
    secret: (name: string): Key => ({ pk, sk: `SECRET#${name}` }),
    allSecrets: { pk, prefix: 'SECRET#' } as Range,
    roleBinding: (name: string): Key => ({ pk, sk: `RB#${name}` }),
    allRoleBindings: { pk, prefix: 'RB#' } as Range,
    trigger: (name: string): Key => ({ pk, sk: `TRIGGER#${name}` }),
    allTriggers: { pk, prefix: 'TRIGGER#' } as Range,
    receiver: (name: string): Key => ({ pk, sk: `RECEIVER#${name}` }),
    allReceivers: { pk, prefix: 'RECEIVER#' } as Range,
  };
}

const tagId = (namespace: string, stream: string, tag: string) => `${namespace}|${stream}|${tag}`;

/** Every key and index entry of the table, encoded here and nowhere else. */
export const keys = {
  inNamespace,
  namespace: (name: string): Key => ({ pk: 'NAMESPACES', sk: name }),
  allNamespaces: { pk: 'NAMESPACES' } as Range,
  image: (digest: string): Key => ({ pk: `IMAGE#${digest}`, sk: 'IMAGE' }),
  verification: (digest: string, policyHash: string): Key => ({ pk: `IMAGE#${digest}`, sk: `VERIFY#${policyHash}` }),
  cursor: (shard: number): Key => ({ pk: `SCHEDULER#${shard}`, sk: `SCHEDULER#${shard}` }),
  /** Index entry of a tag due for an import at `dueAt`. */
  due: (dueAt: string, namespace: string, stream: string, tag: string) => ({
    gsi1pk: 'DUE',
    gsi1sk: `${dueAt}|${tagId(namespace, stream, tag)}`,
  }),
  /** The tags due at `now` or before ('~' sorts after the '|' that follows a due time). */
  dueUntil: (now: string): Range => ({ index: 'gsi1', pk: 'DUE', upTo: `${now}~` }),
  slot: (slot: number, namespace: string, stream: string, tag: string) => ({
    gsi1pk: `SLOT#${slot}`,
    gsi1sk: tagId(namespace, stream, tag),
  }),
  inSlot: (slot: number): Range => ({ index: 'gsi1', pk: `SLOT#${slot}` }),
  outbox: (changedAt: string, namespace: string, stream: string, tag: string) => ({
    gsi2pk: 'OUTBOX',
    gsi2sk: `${changedAt}|${tagId(namespace, stream, tag)}`,
  }),
  inOutbox: { index: 'gsi2', pk: 'OUTBOX' } as Range,
  /** Index entries of a trigger: in the list of every trigger, and under its source tag. */
  triggerIndexes: (namespace: string, name: string, from: { namespace: string; stream: string; tag: string }) => ({
    gsi2pk: 'TRIGGERS',
    gsi2sk: `${namespace}|${name}`,
    gsi3pk: `SRC#${tagId(from.namespace, from.stream, from.tag)}`,
    gsi3sk: `${namespace}|${name}`,
  }),
  everyTrigger: { index: 'gsi2', pk: 'TRIGGERS' } as Range,
  triggersOf: (namespace: string, stream: string, tag: string): Range => ({
    index: 'gsi3',
    pk: `SRC#${tagId(namespace, stream, tag)}`,
  }),
  /** Index entry of a receiver under the digest of its webhook token. */
  receiverToken: (digest: string, namespace: string, name: string) => ({
    gsi1pk: `HOOK#${digest}`,
    gsi1sk: `${namespace}|${name}`,
  }),
  receiverByToken: (digest: string): Range => ({ index: 'gsi1', pk: `HOOK#${digest}` }),
  /** Index entry of a tag under the repository it imports from. */
  follower: (repository: string, namespace: string, stream: string, tag: string) => ({
    gsi3pk: `REPO#${repository}`,
    gsi3sk: tagId(namespace, stream, tag),
  }),
  /** The tags following a repository: in one namespace, or in all. */
  followersOf: (repository: string, namespace?: string): Range => ({
    index: 'gsi3',
    pk: `REPO#${repository}`,
    ...(namespace === undefined ? {} : { prefix: `${namespace}|` }),
  }),
  /** Index attributes a tag loses when it leaves the outbox. */
  outboxAttributes: ['gsi2pk', 'gsi2sk'] as const,
  /** Where a tag item is: its namespace, stream and tag name, from its key. */
  tagOf(item: Item): { namespace: string; stream: string; tag: string } {
    const namespace = String(item.pk).slice(namespacePrefix.length);
    const [stream = '', tag = ''] = String(item.sk).slice(streamPrefix.length).split(tagInfix);
    return { namespace, stream, tag };
  },
  /** Whether a tag item belongs to the stream `name` (and not to one whose name starts with it). */
  isTagOf: (item: Item, name: string) => String(item.sk).startsWith(`${streamPrefix}${name}${tagInfix}`),
};

/** Items per Query page when a list has no limit of its own; DynamoDB also ends a page at 1 MB. */
const defaultPageSize = 1000;

type Sdk = typeof import('./dynamo-sdk.ts');

/** A client, or how to build one from the SDK when the table is first used (the SDK is loaded only then). */
export type DynamoClientSource = DynamoDBClient | ((sdk: Sdk) => DynamoDBClient);

interface Connection {
  documents: DynamoDBDocumentClient;
  sdk: Sdk;
}

/** The table through the document client; every SDK error leaves as a domain error. */
export class DynamoTable {
  private readonly client: DynamoClientSource;
  private readonly tableName: string;
  private readonly pageSize: number;
  private connection: Promise<Connection> | undefined;

  constructor(client: DynamoClientSource, tableName: string, options: { pageSize?: number } = {}) {
    this.client = client;
    this.tableName = tableName;
    this.pageSize = options.pageSize ?? defaultPageSize;
  }

  /** The SDK and the document client, loaded and built on the first request. */
  private connect(): Promise<Connection> {
    this.connection ??= import('./dynamo-sdk.ts').then((sdk) => {
      const client = typeof this.client === 'function' ? this.client(sdk) : this.client;
      const documents = sdk.DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
      return { documents, sdk };
    });
    return this.connection;
  }

  /** One item by key, read consistently. */
  async get(key: Key, subject: Subject): Promise<Item | undefined> {
    const result = await this.send(
      ({ documents, sdk }) =>
        documents.send(new sdk.GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true })),
      'read',
      subject,
    );
    return result.Item;
  }

  /** The items of a range in key order, every page of it (or the first `limit`). Index reads are eventually consistent. */
  async query(range: Range, limit = Number.POSITIVE_INFINITY): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const page = await this.queryPage(range, start, Math.min(this.pageSize, limit - items.length));
      items.push(...page.items);
      start = page.last;
    } while (start && items.length < limit);
    return items;
  }

  /**
   * The items of a range in key order from just after the sort key `after` (which need not exist), read a
   * page at a time as the caller consumes them: a caller that stops early has read at most one page more
   * than it used. `pageSize` bounds each Query (DynamoDB also ends a page at 1 MB). Main table only.
   */
  async *itemsAfter(range: Range, after: string | undefined, pageSize = this.pageSize): AsyncGenerator<Item> {
    if (range.index) throw new Error('itemsAfter reads the main table only');
    let start: Item | undefined = after === undefined ? undefined : { pk: range.pk, sk: after };
    do {
      const page = await this.queryPage(range, start, Math.max(1, Math.min(this.pageSize, pageSize)));
      yield* page.items;
      start = page.last;
    } while (start);
  }

  private async queryPage(
    range: Range,
    ExclusiveStartKey: Item | undefined,
    Limit: number,
  ): Promise<{ items: Item[]; last: Item | undefined }> {
    const partition = range.index ? `${range.index}pk` : 'pk';
    const sort = range.index ? `${range.index}sk` : 'sk';
    const condition = [`${partition} = :pk`];
    const values: Item = { ':pk': range.pk };
    if (range.prefix) {
      condition.push(`begins_with(${sort}, :prefix)`);
      values[':prefix'] = range.prefix;
    }
    if (range.upTo !== undefined) {
      condition.push(`${sort} <= :upTo`);
      values[':upTo'] = range.upTo;
    }
    const page = await this.send(
      ({ documents, sdk }) =>
        documents.send(
          new sdk.QueryCommand({
            TableName: this.tableName,
            ...(range.index ? { IndexName: range.index } : { ConsistentRead: true }),
            KeyConditionExpression: condition.join(' AND '),
            ExpressionAttributeValues: values,
            Limit,
            ExclusiveStartKey,
          }),
        ),
      'read',
      { kind: 'items', name: range.pk },
    );
    return { items: page.Items ?? [], last: page.LastEvaluatedKey };
  }

  /** Writes a whole item, under `condition` when given. */
  put(item: Item & Key, subject: Subject, condition?: Condition): Promise<WriteResult> {
    return this.write(
      ({ documents, sdk }) =>
        documents.send(
          new sdk.PutCommand({
            TableName: this.tableName,
            Item: item,
            ...conditionInput(condition),
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      subject,
    );
  }

  /** Updates an item in place, under `condition` when given; answers the updated attributes (or, asked, the item as it was). */
  update(
    key: Key,
    update: Update,
    subject: Subject,
    condition?: Condition,
    answer: 'UPDATED_NEW' | 'ALL_OLD' = 'UPDATED_NEW',
  ): Promise<WriteResult> {
    const values = { ...update.values, ...condition?.values };
    const names = { ...update.names, ...condition?.names };
    return this.write(
      ({ documents, sdk }) =>
        documents.send(
          new sdk.UpdateCommand({
            TableName: this.tableName,
            Key: key,
            UpdateExpression: update.expression,
            ...(condition ? { ConditionExpression: condition.expression } : {}),
            ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
            ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
            ReturnValues: answer,
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      subject,
    );
  }

  /** Removes an item, under `condition` when given. */
  delete(key: Key, subject: Subject, condition?: Condition): Promise<WriteResult> {
    return this.write(
      ({ documents, sdk }) =>
        documents.send(
          new sdk.DeleteCommand({
            TableName: this.tableName,
            Key: key,
            ...conditionInput(condition),
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      subject,
    );
  }

  /** Removes items unconditionally, 25 per batch, retrying what DynamoDB leaves unprocessed. */
  async deleteAll(keys: Key[], subject: Subject): Promise<void> {
    for (let i = 0; i < keys.length; i += 25) {
      let requests: Record<string, unknown[]> | undefined = {
        [this.tableName]: keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } })),
      };
      for (let attempt = 0; requests && Object.keys(requests).length; attempt++) {
        if (attempt === 8) throw new StoreThrottledError();
        const batch: Record<string, unknown[]> = requests;
        const result = await this.send(
          ({ documents, sdk }) => documents.send(new sdk.BatchWriteCommand({ RequestItems: batch as never })),
          'delete',
          subject,
        );
        requests = result.UnprocessedItems as Record<string, unknown[]> | undefined;
        if (requests && Object.keys(requests).length)
          await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
      }
    }
  }

  private async write(
    send: (connection: Connection) => Promise<{ Attributes?: Item }>,
    subject: Subject,
  ): Promise<WriteResult> {
    const connection = await this.connect();
    try {
      return { ok: true, attributes: (await send(connection)).Attributes };
    } catch (error) {
      const { ConditionalCheckFailedException, unmarshall } = connection.sdk;
      if (error instanceof ConditionalCheckFailedException)
        return { ok: false, current: error.Item ? unmarshall(error.Item) : undefined };
      throw translate(error, 'write', subject);
    }
  }

  private async send<T>(
    request: (connection: Connection) => Promise<T>,
    operation: string,
    subject: Subject,
  ): Promise<T> {
    try {
      return await request(await this.connect());
    } catch (error) {
      throw translate(error, operation, subject);
    }
  }
}

/** A condition on the stored item; names and values may be shared with an update expression. */
export interface Condition {
  expression: string;
  values?: Item;
  names?: Record<string, string>;
}

export interface Update {
  expression: string;
  values?: Item;
  names?: Record<string, string>;
}

function conditionInput(condition: Condition | undefined) {
  if (!condition) return {};
  return {
    ConditionExpression: condition.expression,
    ...(condition.values && Object.keys(condition.values).length
      ? { ExpressionAttributeValues: condition.values }
      : {}),
    ...(condition.names && Object.keys(condition.names).length ? { ExpressionAttributeNames: condition.names } : {}),
  };
}

const throttled = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
]);

/** The one translation of SDK errors: what a caller can act on gets its own error, the rest is internal. */
function translate(error: unknown, operation: string, subject: Subject): Error {
  if (error instanceof ImageStreamsError) return error;
  const { name = '', message = '' } = (error ?? {}) as { name?: string; message?: string };
  // An item over 400 KB (PutItem, UpdateItem) or a partition over an index's 10 GB collection limit.
  if (
    name === 'ItemCollectionSizeLimitExceededException' ||
    (name === 'ValidationException' && /item size/i.test(message))
  )
    return new ObjectTooLargeError(subject.kind, subject.name, { cause: error });
  if (throttled.has(name)) return new StoreThrottledError({ cause: error });
  return new StoreFailureError(`${operation} ${subject.kind} "${subject.name}"`, { cause: error });
}
