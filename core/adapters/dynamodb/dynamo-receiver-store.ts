import { AlreadyExistsError, NotFoundError, staleObjectError } from '../../errors.ts';
import type { ReceiverStore } from '../../ports.ts';
import type { ReceiverDelivery, ReceiverRecord } from '../../receivers/types.ts';
import { type DynamoTable, type Item, type Key, keys, type Subject } from './dynamo-table.ts';

/** ReceiverStore on the table: each receiver in its namespace's partition, indexed by the digest of its webhook token. */
export class DynamoReceiverStore implements ReceiverStore {
  private readonly table: DynamoTable;

  constructor(table: DynamoTable) {
    this.table = table;
  }

  async createReceiver(receiver: ReceiverRecord): Promise<void> {
    const written = await this.table.put(receiverItem(receiver), subjectOf(receiver.name), {
      expression: 'attribute_not_exists(pk)',
    });
    if (!written.ok) throw new AlreadyExistsError('receivers', receiver.name);
  }

  async replaceReceiver(receiver: ReceiverRecord): Promise<ReceiverRecord> {
    const next = { ...receiver, version: receiver.version + 1 };
    const { pk, sk, lastDelivery: _status, ...spec } = receiverItem(next);
    const names = Object.keys(spec);
    const written = await this.table.update(
      { pk, sk },
      {
        expression: `SET ${names.map((_, i) => `#n${i} = :v${i}`).join(', ')}${receiver.registry === undefined ? ' REMOVE registry' : ''}`,
        names: Object.fromEntries(names.map((n, i) => [`#n${i}`, n])),
        values: Object.fromEntries(names.map((n, i) => [`:v${i}`, spec[n]])),
      },
      subjectOf(receiver.name),
      {
        expression: 'version = :expected AND uid = :uid',
        values: { ':expected': receiver.version, ':uid': receiver.uid },
      },
    );
    if (!written.ok) throw staleObjectError('receivers', receiver.name);
    return next;
  }

  async getReceiver(namespace: string, name: string): Promise<ReceiverRecord | undefined> {
    const item = await this.table.get(keys.inNamespace(namespace).receiver(name), subjectOf(name));
    return item ? receiverRecord(item) : undefined;
  }

  async listReceivers(namespace: string): Promise<ReceiverRecord[]> {
    return (await this.table.query(keys.inNamespace(namespace).allReceivers)).map(receiverRecord);
  }

  async deleteReceiver(namespace: string, name: string): Promise<void> {
    const deleted = await this.table.delete(keys.inNamespace(namespace).receiver(name), subjectOf(name), {
      expression: 'attribute_exists(pk)',
    });
    if (!deleted.ok) throw new NotFoundError('receivers', name);
  }

  async findReceiverByToken(digest: string): Promise<ReceiverRecord | undefined> {
    const [item] = await this.table.query(keys.receiverByToken(digest), 1);
    return item ? receiverRecord(item) : undefined;
  }

  async recordDelivery(
    receiver: Pick<ReceiverRecord, 'namespace' | 'name' | 'uid'>,
    delivery: ReceiverDelivery,
  ): Promise<void> {
    await this.table.update(
      keys.inNamespace(receiver.namespace).receiver(receiver.name),
      { expression: 'SET lastDelivery = :delivery', values: { ':delivery': delivery } },
      subjectOf(receiver.name),
      { expression: 'uid = :uid', values: { ':uid': receiver.uid } },
    );
  }
}

const subjectOf = (name: string): Subject => ({ kind: 'receivers', name });

/** A receiver item; its sender type is `receiverType`, as `type` says what kind of item it is. */
function receiverItem(receiver: ReceiverRecord): Item & Key {
  const { type, ...rest } = receiver;
  return {
    ...keys.inNamespace(receiver.namespace).receiver(receiver.name),
    type: 'receiver',
    receiverType: type,
    ...rest,
    ...keys.receiverToken(receiver.tokenDigest, receiver.namespace, receiver.name),
  };
}

function receiverRecord(item: Item): ReceiverRecord {
  const r = item as unknown as ReceiverRecord & { receiverType: ReceiverRecord['type'] };
  return {
    namespace: r.namespace,
    name: r.name,
    uid: r.uid,
    creationTimestamp: r.creationTimestamp,
    version: r.version,
    type: r.receiverType,
    secretRef: r.secretRef,
    repositories: r.repositories ?? [],
    ...(r.registry ? { registry: r.registry } : {}),
    suspended: r.suspended ?? false,
    webhookPath: r.webhookPath,
    tokenDigest: r.tokenDigest,
    sealedToken: r.sealedToken,
    ...(r.lastDelivery ? { lastDelivery: r.lastDelivery } : {}),
  };
}
