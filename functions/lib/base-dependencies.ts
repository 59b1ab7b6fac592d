import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AccessPolicy, type AccessRequest } from '../../core/access/authorize.ts';
import type { Principal } from '../../core/access/principal.ts';
import { endpointOverride } from '../../core/adapters/aws-endpoint.ts';
import { AesGcmCipher } from '../../core/adapters/crypto/aes-gcm-cipher.ts';
import { type DynamoStores, dynamoStores } from '../../core/adapters/dynamodb/dynamo-stores.ts';
import { ImageStreamsError } from '../../core/errors.ts';
import type { Clock, EventPublisher, SecretCipher } from '../../core/ports.ts';
import { AccessService } from '../../core/use-cases/access-service.ts';
import type { Config } from './config.ts';
import { createLogger } from './create-logger.ts';
import { once } from './once.ts';

/** What every function's composition starts from: the table, the bus, the clock, secrets and access. */
export interface BaseDependencies {
  config: Config;
  logger: Logger;
  store: DynamoStores;
  /** The DynamoDB client, built on the first request to the table (so `destroy` may find nothing to close). */
  dynamo: Pick<DynamoDBClient, 'destroy'>;
  clock: Clock;
  newUid: () => string;
  publisher: EventPublisher;
  cipher: SecretCipher;
  access: AccessPolicy;
  accessAdmin: AccessService;
  authorize: (principal: Principal, request: AccessRequest) => Promise<unknown>;
}

/** Without a configured key, storing credentials is refused rather than done in the clear. */
const noCipher: SecretCipher = {
  seal: async () => {
    throw new ImageStreamsError(
      'credentials.no_key',
      'ServiceUnavailable',
      'secrets cannot be stored: the deployment has no KMS key (IMAGESTREAMS_KMS_KEY_ID) or credentials key (IMAGESTREAMS_CREDENTIALS_KEY)',
    );
  },
  open: async () => {
    throw new ImageStreamsError(
      'credentials.no_key',
      'ServiceUnavailable',
      'registry credentials cannot be read: the deployment has no credentials key',
    );
  },
};

/** The adapters every function uses, chosen from configuration; local mode brings its own bus. */
export function baseDependencies(
  config: Config,
  options: { logger?: Logger; publisher?: EventPublisher; clock?: Clock } = {},
): BaseDependencies {
  const logger = options.logger ?? createLogger(config);
  // The SDK loads, and the client is built, on the first request that reads or writes the table: routes that do
  // not (discovery, OpenAPI, health) answer a cold start without them.
  let client: DynamoDBClient | undefined;
  const store = dynamoStores(
    (sdk) =>
      (client = new sdk.DynamoDBClient({
        region: config.region,
        ...endpointOverride(config.dynamoEndpoint),
      })),
    config.tableName,
  );
  // node:crypto loads with the first object created, not with this module (esbuild-plugins.mjs).
  const newUid = () => randomUUID();
  const clock = options.clock ?? { now: () => new Date() };
  const accessAdmin = new AccessService({
    access: store.access,
    newUid,
    clock,
    admins: config.admins,
    cacheMs: config.accessCacheMs,
  });
  const access = new AccessPolicy({
    bindings: (namespace) => accessAdmin.bindings(namespace),
    admins: config.admins,
    namespaceCreators: config.namespaceCreators,
  });
  return {
    config,
    logger,
    store,
    dynamo: { destroy: () => client?.destroy() },
    clock,
    newUid,
    publisher: reportingFailures(options.publisher ?? eventBridge(config), logger),
    cipher: secretCipher(config),
    access,
    accessAdmin,
    authorize: (principal, request) => access.authorize(principal, request),
  };
}

/** KMS envelope encryption when a key is configured (its client loads on first use), else the local key, else none. */
function secretCipher(config: Config): SecretCipher {
  const kmsKeyId = config.kmsKeyId;
  if (kmsKeyId) {
    const cipher = once(async () => {
      const [{ KMSClient }, { KmsEnvelopeCipher }] = await Promise.all([
        import('@aws-sdk/client-kms'),
        import('../../core/adapters/crypto/kms-envelope-cipher.ts'),
      ]);
      return new KmsEnvelopeCipher(
        new KMSClient({
          region: config.region,
          ...endpointOverride(config.kmsEndpoint),
        }),
        kmsKeyId,
      );
    });
    return {
      seal: async (plaintext, context) => (await cipher()).seal(plaintext, context),
      open: async (sealed, context) => (await cipher()).open(sealed, context),
    };
  }
  return config.credentialsKey ? new AesGcmCipher(config.credentialsKey) : noCipher;
}

/**
 * Events the bus did not take, after the publisher's own retries, are logged: a tag change stays in its tag's
 * outbox for the next tick, a trigger announcement waits for the next reconcile, an import failure is gone.
 */
function reportingFailures(publisher: EventPublisher, logger: Pick<Logger, 'warn'>): EventPublisher {
  return {
    publish: async (events) => {
      const failed = await publisher.publish(events);
      if (failed.length > 0)
        logger.warn('events not accepted by the bus', {
          events: failed.map((event) => ({ detailType: event.detailType, detail: event.detail })),
        });
      return failed;
    },
  };
}

/** EventBridge is loaded on the first write that publishes: reads never need its client. */
function eventBridge(config: Config): EventPublisher {
  const busName = config.eventBusName;
  if (!busName) throw new Error('configuration: IMAGESTREAMS_EVENT_BUS must be set');
  const publisher = once(async () => {
    const [{ EventBridgeClient }, { EventBridgePublisher }] = await Promise.all([
      import('@aws-sdk/client-eventbridge'),
      import('../../core/adapters/eventbridge/eventbridge-publisher.ts'),
    ]);
    const client = new EventBridgeClient({
      region: config.region,
      ...endpointOverride(config.eventBridgeEndpoint),
    });
    return new EventBridgePublisher(client, busName);
  });
  return { publish: async (events) => (await publisher()).publish(events) };
}
