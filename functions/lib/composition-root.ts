import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoImageStreamStore } from '../../core/adapters/dynamodb/dynamo-image-stream-store.ts';
import { ImageStreamService } from '../../core/use-cases/image-stream-service.ts';
import type { Config } from './config.ts';

export interface Dependencies {
  service: ImageStreamService;
  logger: Logger;
  config: Config;
  dynamo: DynamoDBClient;
}

/** Builds everything a handler needs from configuration; the one place adapters are chosen. */
export function createDependencies(config: Config, logger = new Logger({ serviceName: 'imagestreams' })): Dependencies {
  const dynamo = new DynamoDBClient({
    region: config.region,
    ...(config.dynamoEndpoint ? { endpoint: config.dynamoEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
  const service = new ImageStreamService({
    store: new DynamoImageStreamStore(dynamo, config.tableName),
    clock: { now: () => new Date() },
    newUid: randomUUID,
    historyLimit: config.historyLimit,
    onHistoryTrimmed: ({ namespace, stream, dropped }) =>
      logger.info('history limit reached: oldest entries removed', { namespace, stream, limit: config.historyLimit, removed: dropped.map((e) => e.dockerImageReference) }),
  });
  return { service, logger, config, dynamo };
}
