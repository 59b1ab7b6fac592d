import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { AbstractLevel } from 'abstract-level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningDynalite, startDynalite } from '../../functions/local/dynalite.ts';

// patches/dynalite+4.0.0.patch, applied at install by patch-package: these fail on dynalite 4.0.0 as published.
describe('dynalite as patched at install', () => {
  let dynalite: RunningDynalite;
  let client: DynamoDBClient;
  const TableName = 'patch-test';

  beforeAll(async () => {
    dynalite = await startDynalite();
    client = new DynamoDBClient({
      endpoint: dynalite.endpoint,
      region: 'local',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    await client.send(
      new CreateTableCommand({
        TableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
    for (let i = 0; i < 10; i++) {
      const Item = { pk: { S: 'p' }, sk: { S: `s${i}` }, version: { N: '3' }, pad: { S: 'x'.repeat(4000) } };
      await client.send(new PutItemCommand({ TableName, Item }));
    }
  });
  afterAll(async () => {
    client.destroy();
    await dynalite.close();
  });

  it('answers a failed condition with the stored item when asked for ALL_OLD', async () => {
    const error = await client
      .send(
        new UpdateItemCommand({
          TableName,
          Key: { pk: { S: 'p' }, sk: { S: 's1' } },
          UpdateExpression: 'SET version = :next',
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':next': { N: '2' }, ':expected': { N: '1' } },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConditionalCheckFailedException);
    expect((error as ConditionalCheckFailedException).Item).toMatchObject({ sk: { S: 's1' }, version: { N: '3' } });
  });

  it('answers no item when ALL_OLD is not asked for', async () => {
    const error = await client
      .send(
        new PutItemCommand({
          TableName,
          Item: { pk: { S: 'p' }, sk: { S: 's2' } },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConditionalCheckFailedException);
    expect((error as ConditionalCheckFailedException).Item).toBeUndefined();
  });

  it('closes the iterator of every Query (the published version left each one open, with its last item)', async () => {
    // Every abstract-level iterator attaches itself to its database while open and detaches when closed.
    const prototype = AbstractLevel.prototype as unknown as Record<string, (resource: unknown) => void>;
    const attach = prototype.attachResource as (resource: unknown) => void;
    const detach = prototype.detachResource as (resource: unknown) => void;
    const open = new Set<unknown>();
    prototype.attachResource = function (resource) {
      open.add(resource);
      return attach.call(this, resource);
    };
    prototype.detachResource = function (resource) {
      open.delete(resource);
      return detach.call(this, resource);
    };
    try {
      for (let i = 0; i < 200; i++) {
        await client.send(
          new QueryCommand({
            TableName,
            KeyConditionExpression: 'pk = :p',
            ExpressionAttributeValues: { ':p': { S: 'p' } },
            ...(i % 2 ? { Limit: 3 } : {}),
          }),
        );
      }
      expect(open.size).toBe(0);
    } finally {
      prototype.attachResource = attach;
      prototype.detachResource = detach;
    }
  });
});
