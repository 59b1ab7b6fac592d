import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { RoleBindingRecord } from '../../access/roles.ts';
import { AlreadyExistsError, ImageStreamsError, NotFoundError, staleObjectError } from '../../errors.ts';
import type { ImageStreamStore, IndexedTag, NamespaceRecord, StoredSecret, StreamKey } from '../../ports.ts';
import { type SlotCursor, slotKey } from '../../scheduling/schedule.ts';
import type { Image, StreamRecord, StreamState, TagRecord } from '../../streams/types.ts';
import type { TriggerRecord, TriggerStatus } from '../../triggers/types.ts';
import { keys } from './table.ts';

type Item = Record<string, unknown>;

/** ImageStreamStore on one DynamoDB table: a stream and its tags share a partition and are read by one Query. */
export class DynamoImageStreamStore implements ImageStreamStore {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(client: DynamoDBClient, tableName: string) {
    this.documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    this.tableName = tableName;
  }

  async getStream(namespace: string, name: string): Promise<StreamState | undefined> {
    const items = await this.query(keys.namespace(namespace), keys.streamPrefix(name));
    return groupStreams(items)[0];
  }

  async listStreams(namespace: string): Promise<StreamState[]> {
    return groupStreams(await this.query(keys.namespace(namespace), keys.allStreams));
  }

  async createStream(stream: StreamRecord): Promise<void> {
    await this.write(
      () =>
        this.documents.send(
          new PutCommand({
            TableName: this.tableName,
            Item: streamItem(stream),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      () => new AlreadyExistsError('imagestreams', stream.name),
    );
  }

  async updateStream(stream: StreamRecord, expectedVersion: number): Promise<StreamRecord> {
    const next = { ...stream, version: expectedVersion + 1 };
    await this.write(
      () =>
        this.documents.send(
          new PutCommand({
            TableName: this.tableName,
            Item: streamItem(next),
            ConditionExpression: 'version = :v AND uid = :uid',
            ExpressionAttributeValues: { ':v': expectedVersion, ':uid': stream.uid },
          }),
        ),
      () => staleObjectError('imagestreams', stream.name),
    );
    return next;
  }

  async nextGeneration(stream: StreamRecord): Promise<number> {
    const result = await this.write(
      () =>
        this.documents.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: keys.namespace(stream.namespace), sk: keys.streamPrefix(stream.name) },
            UpdateExpression: 'ADD generation :one, version :one',
            ConditionExpression: 'uid = :uid',
            ExpressionAttributeValues: { ':one': 1, ':uid': stream.uid },
            ReturnValues: 'UPDATED_NEW',
          }),
        ),
      () => new NotFoundError('imagestreams', stream.name),
    );
    return Number(result.Attributes?.generation);
  }

  async deleteStream(stream: StreamRecord): Promise<void> {
    const pk = keys.namespace(stream.namespace);
    await this.write(
      () =>
        this.documents.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: { pk, sk: keys.streamPrefix(stream.name) },
            ConditionExpression: 'uid = :uid',
            ExpressionAttributeValues: { ':uid': stream.uid },
          }),
        ),
      () => new NotFoundError('imagestreams', stream.name),
    );
    // Tag items of a deleted stream are invisible (their streamUid no longer matches); removing them is housekeeping.
    const tagKeys = (await this.query(pk, keys.streamPrefix(stream.name)))
      .filter((i) => i.type === 'tag')
      .map((i) => ({ pk, sk: i.sk }));
    for (let i = 0; i < tagKeys.length; i += 25) {
      let requests: Record<string, unknown[]> | undefined = {
        [this.tableName]: tagKeys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } })),
      };
      for (let attempt = 0; requests && Object.keys(requests).length && attempt < 8; attempt++) {
        const result = await this.documents.send(new BatchWriteCommand({ RequestItems: requests as never }));
        requests = result.UnprocessedItems as Record<string, unknown[]> | undefined;
      }
    }
  }

  async putTag(stream: StreamKey, tag: TagRecord): Promise<TagRecord> {
    const next = { ...tag, version: tag.version + 1 };
    const created = tag.version === 0;
    await this.write(
      () =>
        this.documents.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              pk: keys.namespace(stream.namespace),
              sk: keys.tag(stream.name, tag.name),
              type: 'tag',
              streamUid: stream.uid,
              ...next,
              ...indexKeys(stream, next),
            },
            ConditionExpression: created
              ? 'attribute_not_exists(pk) OR streamUid <> :uid'
              : 'version = :v AND streamUid = :uid',
            ExpressionAttributeValues: created ? { ':uid': stream.uid } : { ':v': tag.version, ':uid': stream.uid },
          }),
        ),
      () => staleObjectError('imagestreamtags', `${stream.name}:${tag.name}`),
    );
    return next;
  }

  async deleteTag(stream: StreamKey, tag: TagRecord): Promise<void> {
    await this.write(
      () =>
        this.documents.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: { pk: keys.namespace(stream.namespace), sk: keys.tag(stream.name, tag.name) },
            ConditionExpression: 'version = :v AND streamUid = :uid',
            ExpressionAttributeValues: { ':v': tag.version, ':uid': stream.uid },
          }),
        ),
      () => staleObjectError('imagestreamtags', `${stream.name}:${tag.name}`),
    );
  }

  async markPublished(stream: StreamKey, tagName: string, version: number): Promise<boolean> {
    return this.writeIf(() =>
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: keys.namespace(stream.namespace), sk: keys.tag(stream.name, tagName) },
          UpdateExpression: 'REMOVE unpublished, gsi2pk, gsi2sk',
          ConditionExpression: 'version = :v AND streamUid = :uid',
          ExpressionAttributeValues: { ':v': version, ':uid': stream.uid },
        }),
      ),
    );
  }

  async listDue(now: string, limit: number): Promise<IndexedTag[]> {
    return (
      await this.queryIndex(
        'gsi1',
        'gsi1pk = :pk AND gsi1sk <= :until',
        { ':pk': keys.due, ':until': `${now}~` },
        limit,
      )
    ).map(indexedTag);
  }

  async listSlot(slot: number): Promise<IndexedTag[]> {
    return (await this.queryIndex('gsi1', 'gsi1pk = :pk', { ':pk': keys.slot(slot) })).map(indexedTag);
  }

  async listUnpublished(limit: number): Promise<IndexedTag[]> {
    return (await this.queryIndex('gsi2', 'gsi2pk = :pk', { ':pk': keys.outbox }, limit)).map(indexedTag);
  }

  async getCursor(shard: number): Promise<SlotCursor[]> {
    const result = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: keys.cursor(shard), sk: keys.cursor(shard) } }),
    );
    return (result.Item?.slots as SlotCursor[] | undefined) ?? [];
  }

  async putCursor(shard: number, cursor: SlotCursor[]): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: keys.cursor(shard), sk: keys.cursor(shard), type: 'cursor', slots: cursor },
      }),
    );
  }

  async listRoleBindings(namespace: string): Promise<RoleBindingRecord[]> {
    return (await this.query(keys.namespace(namespace), keys.allRoleBindings)).map((item) => {
      const {
        namespace: ns,
        name,
        role,
        subjects,
        uid,
        creationTimestamp,
        version,
      } = item as unknown as RoleBindingRecord;
      return { namespace: ns, name, role, subjects, uid, creationTimestamp, version };
    });
  }

  async putRoleBinding(binding: RoleBindingRecord, expectedVersion: number): Promise<RoleBindingRecord> {
    const next = { ...binding, version: expectedVersion + 1 };
    await this.write(
      () =>
        this.documents.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              pk: keys.namespace(binding.namespace),
              sk: keys.roleBinding(binding.name),
              type: 'rolebinding',
              ...next,
            },
            ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(pk)' : 'version = :v',
            ...(expectedVersion === 0 ? {} : { ExpressionAttributeValues: { ':v': expectedVersion } }),
          }),
        ),
      () =>
        expectedVersion === 0
          ? new AlreadyExistsError('rolebindings', binding.name)
          : staleObjectError('rolebindings', binding.name),
    );
    return next;
  }

  async deleteRoleBinding(namespace: string, name: string): Promise<void> {
    await this.write(
      () =>
        this.documents.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: { pk: keys.namespace(namespace), sk: keys.roleBinding(name) },
            ConditionExpression: 'attribute_exists(pk)',
          }),
        ),
      () => new NotFoundError('rolebindings', name),
    );
  }

  async createNamespace(namespace: NamespaceRecord): Promise<void> {
    await this.write(
      () =>
        this.documents.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { pk: keys.namespaces, sk: namespace.name, type: 'namespace', ...namespace },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      () => new AlreadyExistsError('namespaces', namespace.name),
    );
  }

  async namespaceInUse(namespace: string): Promise<boolean> {
    const page = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.namespace(namespace) },
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    return (page.Items?.length ?? 0) > 0;
  }

  async listNamespaces(): Promise<NamespaceRecord[]> {
    return (await this.query(keys.namespaces, '')).map((item) => {
      const { name, uid, creationTimestamp, createdBy } = item as unknown as NamespaceRecord;
      return { name, uid, creationTimestamp, createdBy };
    });
  }

  async createTrigger(trigger: TriggerRecord): Promise<void> {
    await this.write(
      () =>
        this.documents.send(
          new PutCommand({
            TableName: this.tableName,
            Item: triggerItem(trigger),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      () => new AlreadyExistsError('imagetriggers', trigger.name),
    );
  }

  async replaceTrigger(trigger: TriggerRecord): Promise<TriggerRecord> {
    const { status: _status, ...spec } = triggerItem({ ...trigger, version: trigger.version + 1 });
    const names = Object.keys(spec).filter((k) => k !== 'pk' && k !== 'sk' && !(k in statusDefaults));
    await this.write(
      () =>
        this.documents.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: keys.triggers, sk: keys.trigger(trigger.namespace, trigger.name) },
            UpdateExpression: `SET ${names.map((_, i) => `#n${i} = :v${i}`).join(', ')}${trigger.sealedSecret === undefined ? ' REMOVE sealedSecret' : ''}`,
            ConditionExpression: 'version = :expected',
            ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#n${i}`, n])),
            ExpressionAttributeValues: {
              ...Object.fromEntries(names.map((n, i) => [`:v${i}`, (spec as Item)[n]])),
              ':expected': trigger.version,
            },
          }),
        ),
      () => staleObjectError('imagetriggers', trigger.name),
    );
    return { ...trigger, version: trigger.version + 1 };
  }

  async getTrigger(namespace: string, name: string): Promise<TriggerRecord | undefined> {
    const result = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: keys.triggers, sk: keys.trigger(namespace, name) },
        ConsistentRead: true,
      }),
    );
    return result.Item ? triggerRecord(result.Item) : undefined;
  }

  async listTriggers(namespace?: string): Promise<TriggerRecord[]> {
    return (await this.query(keys.triggers, namespace === undefined ? '' : `${namespace}|`)).map(triggerRecord);
  }

  async deleteTrigger(namespace: string, name: string): Promise<void> {
    await this.write(
      () =>
        this.documents.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: { pk: keys.triggers, sk: keys.trigger(namespace, name) },
            ConditionExpression: 'attribute_exists(pk)',
          }),
        ),
      () => new NotFoundError('imagetriggers', name),
    );
  }

  async triggersFor(source: TriggerRecord['from']): Promise<TriggerRecord[]> {
    return (
      await this.queryIndex('gsi3', 'gsi3pk = :pk', {
        ':pk': keys.triggerSource(source.namespace, source.stream, source.tag),
      })
    ).map(triggerRecord);
  }

  async claimTrigger(trigger: TriggerRecord, image: string, at: string, by: string): Promise<boolean> {
    return this.writeIf(() =>
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: keys.triggers, sk: keys.trigger(trigger.namespace, trigger.name) },
          UpdateExpression:
            'SET lastTriggeredImage = :image, lastTriggeredBy = :by, lastTriggeredAt = :at, lastAttemptAt = :at, attempts = :zero REMOVE lastError',
          ConditionExpression:
            'uid = :uid AND version = :version AND paused = :false AND (attribute_not_exists(lastTriggeredImage) OR lastTriggeredImage <> :image)',
          ExpressionAttributeValues: {
            ':image': image,
            ':by': by,
            ':at': at,
            ':zero': 0,
            ':false': false,
            ':uid': trigger.uid,
            ':version': trigger.version,
          },
        }),
      ),
    );
  }

  async reclaimTrigger(trigger: TriggerRecord, image: string, claimedAt: string, at: string): Promise<boolean> {
    return this.writeIf(() =>
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: keys.triggers, sk: keys.trigger(trigger.namespace, trigger.name) },
          UpdateExpression: 'SET lastTriggeredAt = :at, lastAttemptAt = :at',
          ConditionExpression:
            'uid = :uid AND paused = :false AND lastTriggeredImage = :image AND lastTriggeredAt = :claimedAt',
          ExpressionAttributeValues: {
            ':uid': trigger.uid,
            ':false': false,
            ':image': image,
            ':claimedAt': claimedAt,
            ':at': at,
          },
        }),
      ),
    );
  }

  async recordTriggerResult(
    trigger: TriggerRecord,
    image: string,
    result: Pick<TriggerStatus, 'lastAttemptAt' | 'attempts' | 'lastSuccessAt' | 'lastError'>,
  ): Promise<void> {
    const set = Object.entries(result).filter(([, v]) => v !== undefined);
    // A trigger that moved on to another image keeps that firing's outcome.
    await this.writeIf(() =>
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: keys.triggers, sk: keys.trigger(trigger.namespace, trigger.name) },
          UpdateExpression: `SET ${set.map(([k]) => `${k} = :${k}`).join(', ')}${result.lastError === undefined ? ' REMOVE lastError' : ''}`,
          ConditionExpression: 'lastTriggeredImage = :image',
          ExpressionAttributeValues: { ...Object.fromEntries(set.map(([k, v]) => [`:${k}`, v])), ':image': image },
        }),
      ),
    );
  }

  async getImage(digest: string): Promise<Image | undefined> {
    const result = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: keys.image(digest), sk: keys.imageSort } }),
    );
    return result.Item?.image as Image | undefined;
  }

  async putImage(image: Image): Promise<void> {
    // Written once: a second writer of the same digest finds it there, which is fine.
    await this.writeIf(() =>
      this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: keys.image(image.metadata.name), sk: keys.imageSort, type: 'image', image },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  async putSecret(namespace: string, secret: StoredSecret, mustNotExist: boolean): Promise<void> {
    await this.write(
      () =>
        this.documents.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { pk: keys.namespace(namespace), sk: keys.secret(secret.name), type: 'secret', ...secret },
            ...(mustNotExist ? { ConditionExpression: 'attribute_not_exists(pk)' } : {}),
          }),
        ),
      () => new AlreadyExistsError('secrets', secret.name),
    );
  }

  async listSecrets(namespace: string): Promise<StoredSecret[]> {
    return (await this.query(keys.namespace(namespace), keys.allSecrets)).map((item) => {
      const { name, secretType, registries, creationTimestamp, sealed } = item as unknown as StoredSecret;
      return { name, secretType, registries, creationTimestamp, sealed };
    });
  }

  async deleteSecret(namespace: string, name: string): Promise<void> {
    await this.write(
      () =>
        this.documents.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: { pk: keys.namespace(namespace), sk: keys.secret(name) },
            ConditionExpression: 'attribute_exists(pk)',
          }),
        ),
      () => new NotFoundError('secrets', name),
    );
  }

  private async queryIndex(
    index: string,
    condition: string,
    values: Item,
    limit = Number.POSITIVE_INFINITY,
  ): Promise<Item[]> {
    const items: Item[] = [];
    let ExclusiveStartKey: Item | undefined;
    do {
      const page = await this.documents
        .send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: index,
            KeyConditionExpression: condition,
            ExpressionAttributeValues: values,
            ExclusiveStartKey,
          }),
        )
        .catch((error: unknown) => {
          throw translate(error);
        });
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey && items.length < limit);
    return items.slice(0, limit);
  }

  private async query(pk: string, prefix: string): Promise<Item[]> {
    const items: Item[] = [];
    let ExclusiveStartKey: Item | undefined;
    do {
      const page = await this.documents
        .send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: prefix ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
            ExpressionAttributeValues: prefix ? { ':pk': pk, ':prefix': prefix } : { ':pk': pk },
            ConsistentRead: true,
            ExclusiveStartKey,
          }),
        )
        .catch((error: unknown) => {
          throw translate(error);
        });
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  }

  /** A conditional write whose failed condition is an answer (false), not an error. */
  private async writeIf(send: () => Promise<unknown>): Promise<boolean> {
    try {
      await send();
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw translate(error);
    }
  }

  private async write<T>(send: () => Promise<T>, onConditionFailed: () => Error): Promise<T> {
    try {
      return await send();
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw onConditionFailed();
      throw translate(error);
    }
  }
}

function translate(error: unknown): unknown {
  if ((error as { name?: string }).name === 'ValidationException' && /item size/i.test((error as Error).message)) {
    return new ImageStreamsError(
      'store.too_large',
      'RequestEntityTooLarge',
      'the object is too large to store: its history, annotations or secret data must be smaller',
    );
  }
  if (error instanceof ProvisionedThroughputExceededException) {
    return new ImageStreamsError('store.throttled', 'TooManyRequests', 'the store is busy; retry later');
  }
  return error;
}

/** The sparse index keys of a tag: the scheduler's (due time or slot) and the outbox's. */
function indexKeys(stream: StreamKey, tag: TagRecord): Item {
  const id = slotKey(stream.namespace, stream.name, tag.name);
  return {
    ...(tag.dueAt
      ? { gsi1pk: keys.due, gsi1sk: `${tag.dueAt}|${id}` }
      : tag.scheduleSlot !== undefined
        ? { gsi1pk: keys.slot(tag.scheduleSlot), gsi1sk: id }
        : {}),
    ...(tag.unpublished ? { gsi2pk: keys.outbox, gsi2sk: `${tag.unpublished.changedAt}|${id}` } : {}),
  };
}

function tagRecord(item: Item): TagRecord {
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

function indexedTag(item: Item): IndexedTag {
  const namespace = String(item.pk).slice('NS#'.length);
  const stream = String(item.sk).slice('IS#'.length).split('#TAG#')[0] ?? '';
  return { stream: { namespace, name: stream, uid: String(item.streamUid) }, tag: tagRecord(item) };
}

const statusDefaults = {
  lastTriggeredImage: 0,
  lastTriggeredBy: 0,
  lastTriggeredAt: 0,
  lastAttemptAt: 0,
  lastSuccessAt: 0,
  lastError: 0,
  attempts: 0,
};

/** A trigger item: its status fields at the top level, where conditional updates can test them. */
function triggerItem(trigger: TriggerRecord): Item {
  const { status, from, ...rest } = trigger;
  return {
    pk: keys.triggers,
    sk: keys.trigger(trigger.namespace, trigger.name),
    type: 'trigger',
    ...rest,
    from,
    ...status,
    gsi3pk: keys.triggerSource(from.namespace, from.stream, from.tag),
    gsi3sk: keys.trigger(trigger.namespace, trigger.name),
  };
}

function triggerRecord(item: Item): TriggerRecord {
  const { namespace, name, uid, creationTimestamp, version, from, paused, fireOnCreate, target, sealedSecret } =
    item as unknown as TriggerRecord;
  const status = Object.fromEntries(
    Object.keys(statusDefaults)
      .filter((k) => item[k] !== undefined)
      .map((k) => [k, item[k]]),
  ) as unknown as TriggerStatus;
  return {
    namespace,
    name,
    uid,
    creationTimestamp,
    version,
    from,
    paused,
    fireOnCreate,
    target,
    ...(sealedSecret ? { sealedSecret } : {}),
    status: { ...status, attempts: status.attempts ?? 0 },
  };
}

function streamItem(stream: StreamRecord): Item {
  return { pk: keys.namespace(stream.namespace), sk: keys.streamPrefix(stream.name), type: 'stream', ...stream };
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
      String(item.sk).startsWith(keys.streamPrefix(current.stream.name))
    ) {
      current.tags.push(tagRecord(item));
    }
  }
  return states;
}
