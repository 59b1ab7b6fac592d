import { DynamoAccessStore } from './dynamo-access-store.ts';
import { DynamoImageStore } from './dynamo-image-store.ts';
import { DynamoReceiverStore } from './dynamo-receiver-store.ts';
import { DynamoScheduleIndex } from './dynamo-schedule-index.ts';
import { DynamoSecretStore } from './dynamo-secret-store.ts';
import { DynamoStreamStore } from './dynamo-stream-store.ts';
import { type DynamoClientSource, DynamoTable } from './dynamo-table.ts';
import { DynamoTriggerStore } from './dynamo-trigger-store.ts';
import { DynamoVerificationStore } from './dynamo-verification-store.ts';

/** Every store, one per kind of record, over one table. */
export interface DynamoStores {
  streams: DynamoStreamStore;
  schedule: DynamoScheduleIndex;
  access: DynamoAccessStore;
  triggers: DynamoTriggerStore;
  images: DynamoImageStore;
  secrets: DynamoSecretStore;
  verifications: DynamoVerificationStore;
  receivers: DynamoReceiverStore;
}

/** The stores of the table `tableName`; `pageSize` bounds the items of one Query page (tests use a small one). */
export function dynamoStores(
  client: DynamoClientSource,
  tableName: string,
  options: { pageSize?: number } = {},
): DynamoStores {
  const table = new DynamoTable(client, tableName, options);
  return {
    streams: new DynamoStreamStore(table),
    schedule: new DynamoScheduleIndex(table),
    access: new DynamoAccessStore(table),
    triggers: new DynamoTriggerStore(table),
    images: new DynamoImageStore(table),
    secrets: new DynamoSecretStore(table),
    verifications: new DynamoVerificationStore(table),
    receivers: new DynamoReceiverStore(table),
  };
}
