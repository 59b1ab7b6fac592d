import { timestamp } from '../../core/timestamp.ts';
import type { ImportService } from '../../core/use-cases/import-service.ts';
import type { IntegratedPushes } from '../../core/use-cases/integrated-pushes.ts';
import type { PushService } from '../../core/use-cases/push-service.ts';
import { RegistryCredentialsService } from '../../core/use-cases/registry-credentials.ts';
import { RegistryTokenService } from '../../core/use-cases/registry-token-service.ts';
import type { ScheduledImport } from '../../core/use-cases/scheduled-import.ts';
import { TagWriter } from '../../core/use-cases/tag-writer.ts';
import type { BaseDependencies } from './base-dependencies.ts';
import { integratedRegistryAdapters } from './integrated-registry-adapters.ts';
import { LazyRegistryClient } from './lazy-registry-client.ts';
import { once } from './once.ts';
import { registryLogins } from './registry-logins.ts';

/**
 * The tag writer, registry credentials and client, and the import pipeline (import-pipeline.ts) behind
 * the operations callers use: the pipeline's module — importer, policy tags and their RE2 filters,
 * signature checks, pushes, the scheduler — loads with the first call of one of them, so requests that
 * only read or write objects never evaluate it.
 */
export function importDependencies(base: BaseDependencies) {
  const { config, store, clock } = base;
  const writer = new TagWriter({
    streams: store.streams,
    publisher: base.publisher,
    clock,
    schedule: { intervalSeconds: config.scheduleIntervalSeconds, retryBaseSeconds: config.importRetryBaseSeconds },
  });
  const logins = registryLogins(config, clock);
  const registryTokens = new RegistryTokenService({
    streams: store.streams,
    authorize: base.authorize,
    clock,
    integratedRegistry: config.integratedRegistry,
    logins: logins?.logins,
    realm: logins?.realm,
  });
  // The one source of the service's own credentials for its registry (pushes verified, Local copies, imports).
  const serviceCredentials = () => registryTokens.serviceCredentials();
  const credentials = new RegistryCredentialsService({
    secrets: store.secrets,
    cipher: base.cipher,
    clock,
    cacheMs: config.credentialsCacheMs,
    ...(config.integratedRegistry
      ? { integrated: { host: config.integratedRegistry.host, credentials: serviceCredentials } }
      : {}),
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
  const integrated = integratedRegistryAdapters(config, registry, serviceCredentials);
  const pipeline = once(async () =>
    (await import('./import-pipeline.ts')).importPipeline({
      ...base,
      writer,
      credentials,
      registry,
      now: () => timestamp(clock.now()),
      server: integrated.server,
      serviceCredentials,
    }),
  );
  const imports: Pick<ImportService, 'createImageStreamImport' | 'importPendingTags' | 'importSource'> = {
    createImageStreamImport: async (...args) => (await pipeline()).imports.createImageStreamImport(...args),
    importPendingTags: async (...args) => (await pipeline()).imports.importPendingTags(...args),
    importSource: async (...args) => (await pipeline()).imports.importSource(...args),
  };
  const pushes: Pick<PushService, 'deliver' | 'pushedToEcr'> = {
    deliver: async (...args) => (await pipeline()).pushes.deliver(...args),
    pushedToEcr: async (...args) => (await pipeline()).pushes.pushedToEcr(...args),
  };
  // Whether there is one is configuration: known without loading the pipeline.
  const registryPushes: Pick<IntegratedPushes, 'notified'> | undefined = config.integratedRegistry
    ? {
        notified: async (...args) => {
          const loaded = (await pipeline()).registryPushes;
          if (!loaded) throw new Error('the import pipeline was built without the integrated registry');
          return loaded.notified(...args);
        },
      }
    : undefined;
  const scheduler: Pick<ScheduledImport, 'tick'> = {
    tick: async (...args) => (await pipeline()).scheduler.tick(...args),
  };
  return {
    registryTokens,
    writer,
    credentials,
    registry,
    repositories: integrated.repositories,
    imports,
    pushes,
    registryPushes,
    scheduler,
  };
}
