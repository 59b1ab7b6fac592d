import { hkdfSync, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AccessPolicy, type AccessRequest } from '../../core/access/authorize.ts';
import type { Principal } from '../../core/access/principal.ts';
import { AesGcmCipher } from '../../core/adapters/crypto/aes-gcm-cipher.ts';
import { dynamoStores } from '../../core/adapters/dynamodb/dynamo-stores.ts';
import {
  LocalRegistryTokens,
  localRegistryTokenNames,
} from '../../core/adapters/registry-tokens/local-registry-tokens.ts';
import { TargetDispatcher } from '../../core/adapters/targets/target-dispatcher.ts';
import { ImageStreamsError } from '../../core/errors.ts';
import { type ContinueTokens, continueTokens } from '../../core/kube/continue-tokens.ts';
import type { Clock, EventPublisher, SecretCipher } from '../../core/ports.ts';
import type {
  ImageServer,
  RegistryCredentials,
  RegistryLogins,
  RegistryTokenRealm,
  StreamRepositories,
} from '../../core/ports-registry.ts';
import { ecrRegistryOf } from '../../core/references/ecr-registry.ts';
import { HostPacer } from '../../core/scheduling/host-pacer.ts';
import type { TagReference } from '../../core/streams/types.ts';
import { timestamp } from '../../core/timestamp.ts';
import { checkWebhookUrl } from '../../core/triggers/webhook-url.ts';
import { AccessService } from '../../core/use-cases/access-service.ts';
import { ImageImporter } from '../../core/use-cases/image-importer.ts';
import { ImportService } from '../../core/use-cases/import-service.ts';
import { IntegratedPushes } from '../../core/use-cases/integrated-pushes.ts';
import { PushService } from '../../core/use-cases/push-service.ts';
import { ReceiverService } from '../../core/use-cases/receiver-service.ts';
import { RegistryCredentialsService } from '../../core/use-cases/registry-credentials.ts';
import { RegistryTokenService } from '../../core/use-cases/registry-token-service.ts';
import { ScheduledImport } from '../../core/use-cases/scheduled-import.ts';
import { SignatureGate } from '../../core/use-cases/signature-gate.ts';
import { createImageStream } from '../../core/use-cases/streams/create-image-stream.ts';
import { deleteImageStream } from '../../core/use-cases/streams/delete-image-stream.ts';
import { deleteImageStreamTag } from '../../core/use-cases/streams/delete-image-stream-tag.ts';
import { describeStream } from '../../core/use-cases/streams/describe-stream.ts';
import { describeStreamTag } from '../../core/use-cases/streams/describe-stream-tag.ts';
import { getImageStream } from '../../core/use-cases/streams/get-image-stream.ts';
import { getImageStreamImage } from '../../core/use-cases/streams/get-image-stream-image.ts';
import { getImageStreamTag } from '../../core/use-cases/streams/get-image-stream-tag.ts';
import { listImageStreamTags } from '../../core/use-cases/streams/list-image-stream-tags.ts';
import { listImageStreams } from '../../core/use-cases/streams/list-image-streams.ts';
import { putImageStreamTag } from '../../core/use-cases/streams/put-image-stream-tag.ts';
import { replaceImageStream } from '../../core/use-cases/streams/replace-image-stream.ts';
import type { StreamPorts } from '../../core/use-cases/streams/stream-ports.ts';
import { TagWriter } from '../../core/use-cases/tag-writer.ts';
import { createTrigger } from '../../core/use-cases/triggers/create-trigger.ts';
import { deleteTrigger } from '../../core/use-cases/triggers/delete-trigger.ts';
import { fanOutTagChange } from '../../core/use-cases/triggers/fan-out-tag-change.ts';
import { fireTrigger } from '../../core/use-cases/triggers/fire-trigger.ts';
import { getTrigger } from '../../core/use-cases/triggers/get-trigger.ts';
import { listTriggers } from '../../core/use-cases/triggers/list-triggers.ts';
import { reconcileTriggers } from '../../core/use-cases/triggers/reconcile-triggers.ts';
import { replaceTrigger } from '../../core/use-cases/triggers/replace-trigger.ts';
import type { TriggerPorts } from '../../core/use-cases/triggers/trigger-ports.ts';
import type { Config } from './config.ts';
import { createLogger } from './create-logger.ts';
import { integratedRegistryAccess } from './integrated-registry-access.ts';
import { LazyRegistryClient } from './lazy-registry-client.ts';
import { LazySignatureVerifier } from './lazy-signature-verifier.ts';

export interface Dependencies {
  /** The image stream use cases (core/use-cases/streams), each bound to its ports. */
  service: ReturnType<typeof imageStreamUseCases>;
  access: AccessPolicy;
  accessAdmin: AccessService;
  /** The trigger use cases (core/use-cases/triggers), each bound to its ports. */
  triggers: ReturnType<typeof triggerUseCases>;
  scheduler: ScheduledImport;
  writer: TagWriter;
  imports: ImportService;
  credentials: RegistryCredentialsService;
  receivers: ReceiverService;
  pushes: PushService;
  /** Pushes to the integrated registry (its notifications, ECR's events); undefined when the deployment has none. */
  registryPushes: IntegratedPushes | undefined;
  /** Credentials for the integrated registry (registrytokens, the local token realm, the service's own). */
  registryTokens: RegistryTokenService;
  registry: LazyRegistryClient;
  logger: Logger;
  config: Config;
  /** The DynamoDB client, built on the first request to the table (so `destroy` may find nothing to close). */
  dynamo: Pick<DynamoDBClient, 'destroy'>;
  clock: Clock;
  /** Signs and checks list continue tokens; undefined when no key is configured (lists then come whole). */
  continueTokens: ContinueTokens | undefined;
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

/** Builds everything a handler needs from configuration; the one place adapters are chosen. Local mode brings its own bus. */
export function createDependencies(
  config: Config,
  options: { logger?: Logger; publisher?: EventPublisher; clock?: Clock } = {},
): Dependencies {
  const logger = options.logger ?? createLogger(config);
  // The SDK loads, and the client is built, on the first request that reads or writes the table: routes that do
  // not (discovery, OpenAPI, health) answer a cold start without them.
  let client: DynamoDBClient | undefined;
  const store = dynamoStores(
    (sdk) =>
      (client = new sdk.DynamoDBClient({
        region: config.region,
        ...(config.dynamoEndpoint
          ? { endpoint: config.dynamoEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
          : {}),
      })),
    config.tableName,
  );
  const dynamo = { destroy: () => client?.destroy() };
  // node:crypto loads with the first object created, not with this module (esbuild-plugins.mjs).
  const newUid = () => randomUUID();
  const clock = options.clock ?? { now: () => new Date() };
  const now = () => timestamp(clock.now());
  const publisher = options.publisher ?? eventBridge(config);
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
  const authorize = (principal: Principal, request: AccessRequest) => access.authorize(principal, request);
  const writer = new TagWriter({
    streams: store.streams,
    publisher,
    clock,
    schedule: { intervalSeconds: config.scheduleIntervalSeconds, retryBaseSeconds: config.importRetryBaseSeconds },
  });
  const registry = new LazyRegistryClient({
    userAgent: config.userAgent,
    connectTimeoutMs: config.registryConnectTimeoutMs,
    headersTimeoutMs: config.registryHeadersTimeoutMs,
    bodyTimeoutMs: config.registryBodyTimeoutMs,
    maxRetries: config.registryMaxRetries,
    minRetryDelayMs: config.registryMinRetryDelayMs,
    maxRetryDelayMs: config.registryMaxRetryDelayMs,
    maxManifestBytes: config.registryMaxManifestBytes,
    maxBlobBytes: config.registryMaxBlobBytes,
    localHosts: new Set(config.insecureRegistries),
    insecureSetting: 'IMAGESTREAMS_INSECURE_REGISTRIES',
  });
  const kmsKeyId = config.kmsKeyId;
  const cipher = kmsKeyId
    ? lazyCipher(async () => {
        const [{ KMSClient }, { KmsEnvelopeCipher }] = await Promise.all([
          import('@aws-sdk/client-kms'),
          import('../../core/adapters/crypto/kms-envelope-cipher.ts'),
        ]);
        return new KmsEnvelopeCipher(
          new KMSClient({
            region: config.region,
            ...(config.kmsEndpoint
              ? { endpoint: config.kmsEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
              : {}),
          }),
          kmsKeyId,
        );
      })
    : config.credentialsKey
      ? new AesGcmCipher(config.credentialsKey)
      : noCipher;
  const logins = registryLogins(config, clock);
  const registryTokens = new RegistryTokenService({
    streams: store.streams,
    authorize,
    clock,
    integratedRegistry: config.integratedRegistry,
    logins: logins?.logins,
    realm: logins?.realm,
  });
  // The one source of the service's own credentials for its registry (pushes verified, Local copies, imports).
  const serviceCredentials = () => registryTokens.serviceCredentials();
  const credentials = new RegistryCredentialsService({
    secrets: store.secrets,
    cipher,
    clock,
    cacheMs: config.credentialsCacheMs,
    ...(config.integratedRegistry
      ? { integrated: { host: config.integratedRegistry.host, credentials: serviceCredentials } }
      : {}),
  });
  const allowedPrivateHosts = new Set(config.allowedPrivateHosts);
  const webhook = once(
    async () =>
      new (await import('../../core/adapters/targets/webhook-target.ts')).WebhookTarget({
        allowedPrivateHosts,
        timeoutMs: config.webhookTimeoutMs,
      }),
  );
  const awsTargets = once(
    async () =>
      new (await import('../../core/adapters/targets/aws-targets.ts')).AwsTargets({
        region: config.region,
        endpoint: config.awsTargetsEndpoint,
      }),
  );
  const triggers = triggerUseCases({
    triggers: store.triggers,
    streams: store.streams,
    authorize,
    targets: new TargetDispatcher({
      webhook,
      aws: awsTargets,
      attempts: config.deliveryAttempts,
      retryDelayMs: config.deliveryRetryDelayMs,
    }),
    cipher,
    publisher,
    clock,
    newUid,
    historyLimit: config.historyLimit,
    checkWebhookUrl: (url) => checkWebhookUrl(url, allowedPrivateHosts),
    concurrency: config.triggerConcurrency,
    leaseMs: config.triggerLeaseMs,
  });
  const integrated = integratedRegistryAdapters(config, registry, serviceCredentials);
  const importer = new ImageImporter({
    registry,
    images: store.images,
    now,
    allowedRegistries: config.allowedRegistries,
    maxIndexEntries: config.maxManifestListEntries,
    childConcurrency: config.manifestListConcurrency,
    signatures: new SignatureGate({
      registry,
      verifier: new LazySignatureVerifier(config.sigstoreTrustedRoot),
      verdicts: store.verifications,
      now,
    }),
  });
  const imports = new ImportService({
    streams: store.streams,
    writer,
    importer,
    credentials,
    clock,
    newUid,
    historyLimit: config.historyLimit,
    ...(config.integratedRegistry ? { integratedRegistry: config.integratedRegistry } : {}),
    server: integrated.server,
    insecureRegistries: new Set(config.insecureRegistries),
    maxBulkImport: config.maxBulkImport,
    maxPolicyTagPages: config.policyMaxTagPages,
    concurrency: config.importConcurrency,
    budgetMs: config.importBudgetMs,
  });
  const receivers = new ReceiverService({
    receivers: store.receivers,
    secretValue: (namespace, name, key) => credentials.secretValue(namespace, name, key),
    cipher,
    clock,
    newUid,
  });
  const registryPushes = config.integratedRegistry
    ? new IntegratedPushes({
        registry: config.integratedRegistry,
        access: integratedRegistryAccess(config, config.integratedRegistry, serviceCredentials),
        streams: store.streams,
        importer,
        writer,
        signaturePolicy: (namespace, spec) => imports.signaturePolicy(namespace, spec),
        clock,
        historyLimit: config.historyLimit,
        budgetMs: config.importTimeoutMs || 20_000,
        notificationsSecret: config.registryNotificationsSecret,
        log: (message, details) => logger.info(message, details),
      })
    : undefined;
  const pushes = new PushService({
    receivers: store.receivers,
    streams: store.streams,
    imports,
    cipher,
    clock,
    coalesceMs: config.pushCoalesceMs,
    cacheMs: 5_000,
    budgetMs: config.importTimeoutMs || 20_000,
    concurrency: 4,
    settleDelaysMs: [100, 300, 900],
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    integrated: registryPushes,
  });
  const service = imageStreamUseCases({
    streams: store.streams,
    images: store.images,
    authorize,
    writer,
    clock,
    newUid,
    historyLimit: config.historyLimit,
    ...(config.integratedRegistry ? { integratedRegistry: config.integratedRegistry } : {}),
    ...(config.importTimeoutMs > 0
      ? {
          importPending: (namespace: string, stream: string, tags: string[], principal: Principal) =>
            imports.importPendingTags(namespace, stream, tags, principal, config.importTimeoutMs),
          importSource: (stream: { namespace: string; name: string }, spec: TagReference) =>
            imports.importSource(stream, spec, config.importTimeoutMs),
        }
      : {}),
    ...(integrated.repositories
      ? {
          releaseRepository: async (namespace: string, stream: string) => {
            const released = await (integrated.repositories as StreamRepositories).release(namespace, stream);
            logger.info('integrated registry: repository of a deleted stream', { namespace, stream, ...released });
          },
        }
      : {}),
    onHistoryTrimmed: ({ namespace, stream, dropped }) =>
      logger.info('history limit reached: oldest entries removed', {
        namespace,
        stream,
        limit: config.historyLimit,
        removed: dropped.map((e) => e.dockerImageReference),
      }),
  });
  const scheduler = new ScheduledImport({
    schedule: store.schedule,
    imports,
    writer,
    clock,
    pacer: new HostPacer({
      ratePerSecond: config.registryRatePerSecond,
      burst: config.registryBurst,
      now: () => Date.now(),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    }),
    rateLimitRemaining: (host) => registry.rateLimitRemaining(host),
    intervalSeconds: config.scheduleIntervalSeconds,
    tickSeconds: config.scheduleTickSeconds,
    concurrency: config.schedulerConcurrency,
    maxChecksPerTick: config.maxChecksPerTick,
    budgetMs: config.tickBudgetMs,
  });
  return {
    service,
    access,
    accessAdmin,
    triggers,
    imports,
    credentials,
    receivers,
    pushes,
    registryPushes,
    registryTokens,
    registry,
    scheduler,
    writer,
    logger,
    config,
    dynamo,
    clock,
    continueTokens: continueTokenKey(config),
  };
}

/** The image stream use cases, each given its ports: what the API's operations call. */
function imageStreamUseCases(ports: StreamPorts) {
  return {
    createImageStream: bound(createImageStream, ports),
    getImageStream: bound(getImageStream, ports),
    listImageStreams: bound(listImageStreams, ports),
    replaceImageStream: bound(replaceImageStream, ports),
    deleteImageStream: bound(deleteImageStream, ports),
    describeImageStream: bound(describeStream, ports),
    getImageStreamTag: bound(getImageStreamTag, ports),
    describeImageStreamTag: bound(describeStreamTag, ports),
    listImageStreamTags: bound(listImageStreamTags, ports),
    putImageStreamTag: bound(putImageStreamTag, ports),
    deleteImageStreamTag: bound(deleteImageStreamTag, ports),
    getImageStreamImage: bound(getImageStreamImage, ports),
  };
}

/** The trigger use cases, each given its ports: the API's, the tag-change fan-out's and the schedule's. */
function triggerUseCases(ports: TriggerPorts) {
  return {
    createTrigger: bound(createTrigger, ports),
    replaceTrigger: bound(replaceTrigger, ports),
    getTrigger: bound(getTrigger, ports),
    listTriggers: bound(listTriggers, ports),
    deleteTrigger: bound(deleteTrigger, ports),
    fanOut: bound(fanOutTagChange, ports),
    reconcile: bound(reconcileTriggers, ports),
    fire: bound(fireTrigger, ports),
  };
}

/** A use case with its ports given: the operation a caller sees. */
function bound<P, A extends unknown[], R>(useCase: (ports: P, ...args: A) => R, ports: P): (...args: A) => R {
  return (...args) => useCase(ports, ...args);
}

/** The configured key, or one derived from the credentials key for this purpose alone (local mode, tests). */
function continueTokenKey(config: Config): ContinueTokens | undefined {
  if (config.continueTokenKey) return continueTokens(config.continueTokenKey);
  if (!config.credentialsKey) return undefined;
  return continueTokens(
    Buffer.from(hkdfSync('sha256', config.credentialsKey, '', 'imagestreams list continue tokens', 32)),
  );
}

/**
 * Who issues credentials for the integrated registry: ECR under scoped STS sessions when the deployment names
 * a token role (its clients load with the first token), else the local key that signs for the local registry's
 * token realm; nobody when the registry is off or neither is configured.
 */
function registryLogins(
  config: Config,
  clock: Clock,
): { logins: RegistryLogins; realm?: RegistryTokenRealm } | undefined {
  const registry = config.integratedRegistry;
  if (!registry) return undefined;
  const roleArn = config.registryTokenRoleArn;
  if (roleArn) {
    const ecr = once(
      async () =>
        new (await import('../../core/adapters/ecr/ecr-registry-logins.ts')).EcrRegistryLogins({
          registry,
          roleArn,
          sessionSeconds: config.registryTokenSeconds,
          clock,
          stsEndpoint: config.stsEndpoint,
          ecrEndpoint: config.ecrEndpoint,
        }),
    );
    return {
      logins: {
        issue: async (grant, subject) => (await ecr()).issue(grant, subject),
        serviceCredentials: async () => (await ecr()).serviceCredentials(),
      },
    };
  }
  if (!config.registryTokenKey) return undefined;
  const local = new LocalRegistryTokens({
    pem: readFileSync(config.registryTokenKey, 'utf8'),
    ...localRegistryTokenNames,
    loginSeconds: config.registryTokenSeconds,
    clock,
  });
  return { logins: local, realm: local };
}

/** Builds a dependency on first use: what most invocations never touch stays out of the cold start. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
}

function lazyCipher(load: () => Promise<SecretCipher>): SecretCipher {
  const cipher = once(load);
  return {
    seal: async (plaintext, context) => (await cipher()).seal(plaintext, context),
    open: async (sealed, context) => (await cipher()).open(sealed, context),
  };
}

/**
 * How Local tags are served, and what becomes of a deleted stream's repository, by the kind of integrated
 * registry: ECR (pull-through cache rules; an empty repository is deleted with its stream), or any other
 * registry — local mode's CNCF registry — which gets a copy (its storage stays: distribution has no API
 * to delete a repository). Both load on first use.
 */
function integratedRegistryAdapters(
  config: Config,
  registry: LazyRegistryClient,
  serviceCredentials: () => Promise<RegistryCredentials | undefined>,
): { server?: ImageServer; repositories?: StreamRepositories } {
  const integrated = config.integratedRegistry;
  if (!integrated) return {};
  const ecr = ecrRegistryOf(integrated.host);
  if (ecr) {
    const client = once(async () => {
      const { ECRClient } = await import('@aws-sdk/client-ecr');
      return new ECRClient({
        region: ecr.region,
        ...(config.ecrEndpoint
          ? { endpoint: config.ecrEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
          : {}),
      });
    });
    const server = once(
      async () =>
        new (await import('../../core/adapters/ecr/ecr-pull-through-server.ts')).EcrPullThroughServer({
          client: await client(),
          registry: integrated,
        }),
    );
    const cleaner = once(
      async () =>
        new (await import('../../core/adapters/ecr/ecr-repository-cleaner.ts')).EcrRepositoryCleaner({
          client: await client(),
          registry: integrated,
        }),
    );
    return {
      server: { serve: async (request) => (await server()).serve(request) },
      repositories: { release: async (namespace, stream) => (await cleaner()).release(namespace, stream) },
    };
  }
  const copier = once(
    async () =>
      new (await import('../../core/adapters/registry/registry-copy-server.ts')).RegistryCopyServer({
        client: await registry.loaded(),
        registry: integrated,
        maxBytes: config.localReferenceMaxBytes,
        maxIndexEntries: config.maxManifestListEntries,
        concurrency: config.manifestListConcurrency,
        credentials: serviceCredentials,
      }),
  );
  return { server: { serve: async (request) => (await copier()).serve(request) } };
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
      ...(config.eventBridgeEndpoint
        ? { endpoint: config.eventBridgeEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
        : {}),
    });
    return new EventBridgePublisher(client, busName);
  });
  return { publish: async (events) => (await publisher()).publish(events) };
}
