import { AlreadyExistsError, NotFoundError, staleObjectError } from '../../errors.ts';
import type { Claim, TriggerStore } from '../../ports.ts';
import type { TriggerRecord, TriggerStatus } from '../../triggers/types.ts';
import { type DynamoTable, type Item, keys, type Subject } from './dynamo-table.ts';

/**
 * TriggerStore on the table: each trigger in its namespace's partition, with index entries that list every
 * trigger (for the reconcile) and the triggers of a source tag (for the fan-out).
 */
export class DynamoTriggerStore implements TriggerStore {
  private readonly table: DynamoTable;

  constructor(table: DynamoTable) {
    this.table = table;
  }

  async createTrigger(trigger: TriggerRecord): Promise<void> {
    const written = await this.table.put(triggerItem(trigger), subjectOf(trigger.name), {
      expression: 'attribute_not_exists(pk)',
    });
    if (!written.ok) throw new AlreadyExistsError('imagetriggers', trigger.name);
  }

  async replaceTrigger(trigger: TriggerRecord): Promise<TriggerRecord> {
    const { pk, sk, ...spec } = triggerItem({ ...trigger, version: trigger.version + 1 });
    const names = Object.keys(spec).filter((k) => !(k in statusDefaults));
    const written = await this.table.update(
      { pk, sk },
      {
        expression: `SET ${names.map((_, i) => `#n${i} = :v${i}`).join(', ')}${trigger.sealedSecret === undefined ? ' REMOVE sealedSecret' : ''}`,
        names: Object.fromEntries(names.map((n, i) => [`#n${i}`, n])),
        values: Object.fromEntries(names.map((n, i) => [`:v${i}`, spec[n]])),
      },
      subjectOf(trigger.name),
      { expression: 'version = :expected', values: { ':expected': trigger.version } },
    );
    if (!written.ok) throw staleObjectError('imagetriggers', trigger.name);
    return { ...trigger, version: trigger.version + 1 };
  }

  async getTrigger(namespace: string, name: string): Promise<TriggerRecord | undefined> {
    const item = await this.table.get(keys.inNamespace(namespace).trigger(name), subjectOf(name));
    return item ? triggerRecord(item) : undefined;
  }

  async listTriggers(namespace?: string): Promise<TriggerRecord[]> {
    const range = namespace === undefined ? keys.everyTrigger : keys.inNamespace(namespace).allTriggers;
    return (await this.table.query(range)).map(triggerRecord);
  }

  async *triggersAfter(namespace: string, after: string | undefined, pageSize?: number): AsyncIterable<TriggerRecord> {
    const inNamespace = keys.inNamespace(namespace);
    const start = after === undefined ? undefined : inNamespace.trigger(after).sk;
    for await (const item of this.table.itemsAfter(inNamespace.allTriggers, start, pageSize)) yield triggerRecord(item);
  }

  async deleteTrigger(namespace: string, name: string): Promise<void> {
    const deleted = await this.table.delete(keys.inNamespace(namespace).trigger(name), subjectOf(name), {
      expression: 'attribute_exists(pk)',
    });
    if (!deleted.ok) throw new NotFoundError('imagetriggers', name);
  }

  async triggersFor(source: TriggerRecord['from']): Promise<TriggerRecord[]> {
    return (await this.table.query(keys.triggersOf(source.namespace, source.stream, source.tag))).map(triggerRecord);
  }

  async claimTrigger(trigger: TriggerRecord, image: string, at: string, by: string): Promise<Claim<TriggerRecord>> {
    const written = await this.table.update(
      keys.inNamespace(trigger.namespace).trigger(trigger.name),
      {
        expression:
          'SET lastTriggeredImage = :image, lastTriggeredBy = :by, lastTriggeredAt = :at, lastAttemptAt = :at, attempts = :zero REMOVE lastError',
        values: { ':image': image, ':by': by, ':at': at, ':zero': 0 },
      },
      subjectOf(trigger.name),
      {
        expression:
          'uid = :uid AND version = :version AND paused = :false AND (attribute_not_exists(lastTriggeredImage) OR lastTriggeredImage <> :image)',
        values: { ':image': image, ':false': false, ':uid': trigger.uid, ':version': trigger.version },
      },
    );
    return written.ok
      ? { claimed: true }
      : { claimed: false, current: written.current ? triggerRecord(written.current) : undefined };
  }

  async reclaimTrigger(trigger: TriggerRecord, image: string, claimedAt: string, at: string): Promise<boolean> {
    const written = await this.table.update(
      keys.inNamespace(trigger.namespace).trigger(trigger.name),
      { expression: 'SET lastTriggeredAt = :at, lastAttemptAt = :at', values: { ':at': at } },
      subjectOf(trigger.name),
      {
        expression: 'uid = :uid AND paused = :false AND lastTriggeredImage = :image AND lastTriggeredAt = :claimedAt',
        values: { ':uid': trigger.uid, ':false': false, ':image': image, ':claimedAt': claimedAt },
      },
    );
    return written.ok;
  }

  async recordTriggerResult(
    trigger: TriggerRecord,
    image: string,
    result: Pick<TriggerStatus, 'lastAttemptAt' | 'attempts' | 'lastSuccessAt' | 'lastError'>,
  ): Promise<void> {
    const set = Object.entries(result).filter(([, v]) => v !== undefined);
    // A trigger that moved on to another image keeps that firing's outcome.
    await this.table.update(
      keys.inNamespace(trigger.namespace).trigger(trigger.name),
      {
        expression: `SET ${set.map(([k]) => `${k} = :${k}`).join(', ')}${result.lastError === undefined ? ' REMOVE lastError' : ''}`,
        values: Object.fromEntries(set.map(([k, v]) => [`:${k}`, v])),
      },
      subjectOf(trigger.name),
      { expression: 'lastTriggeredImage = :image', values: { ':image': image } },
    );
  }
}

const subjectOf = (name: string): Subject => ({ kind: 'imagetriggers', name });

// The status fields: a replace leaves them as they are, and a read gathers them into `status`.
const statusDefaults = {
  lastTriggeredImage: 0,
  skippedImage: 0,
  lastTriggeredBy: 0,
  lastTriggeredAt: 0,
  lastAttemptAt: 0,
  lastSuccessAt: 0,
  lastError: 0,
  attempts: 0,
};

/** A trigger item: its status fields at the top level, where conditional updates can test them. */
function triggerItem(trigger: TriggerRecord) {
  const { status, from, ...rest } = trigger;
  return {
    ...keys.inNamespace(trigger.namespace).trigger(trigger.name),
    type: 'trigger',
    ...rest,
    from,
    ...status,
    ...keys.triggerIndexes(trigger.namespace, trigger.name, from),
  } as Item & { pk: string; sk: string };
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
