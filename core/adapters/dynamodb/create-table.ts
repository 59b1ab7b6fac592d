import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import { tableKeys } from './table-keys.ts';

/** Creates the table from the shared definition when it is missing (local mode and tests), and waits until it is active. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const { fields, primaryIndex, globalIndexes } = tableKeys;
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: Object.keys(fields).map((name) => ({ AttributeName: name, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: primaryIndex.hashKey, KeyType: 'HASH' },
          { AttributeName: primaryIndex.rangeKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: Object.entries(globalIndexes).map(([IndexName, index]) => ({
          IndexName,
          KeySchema: [
            { AttributeName: index.hashKey, KeyType: 'HASH' },
            { AttributeName: index.rangeKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  for (let i = 0; i < 100; i++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`table ${tableName} did not become active`);
}
