// The AWS SDK as DynamoTable uses it, in a module of its own so that the table can load it on its first
// request: importing the SDK and building a client is most of a cold start's CPU, and requests that never
// read the table (discovery, OpenAPI, health) should not pay it.
export { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
export {
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
export { unmarshall } from '@aws-sdk/util-dynamodb';
