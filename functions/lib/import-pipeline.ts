import type { ImageServer, RegistryCredentials } from '../../core/ports-registry.ts';
import { HostPacer } from '../../core/scheduling/host-pacer.ts';
import { ImageImporter } from '../../core/use-cases/image-importer.ts';
import { ImportService } from '../../core/use-cases/import-service.ts';
import { IntegratedPushes } from '../../core/use-cases/integrated-pushes.ts';
import { PushService } from '../../core/use-cases/push-service.ts';
import type { RegistryCredentialsService } from '../../core/use-cases/registry-credentials.ts';
import { ScheduledImport } from '../../core/use-cases/scheduled-import.ts';
import { SignatureGate } from '../../core/use-cases/signature-gate.ts';
import type { TagWriter } from '../../core/use-cases/tag-writer.ts';
import type { BaseDependencies } from './base-dependencies.ts';
import { integratedRegistryAccess } from './integrated-registry-access.ts';
import type { LazyRegistryClient } from './lazy-registry-client.ts';
import { LazySignatureVerifier } from './lazy-signature-verifier.ts';

/** What the import pipeline is built from: the base adapters, the tag writer, credentials and the registry client. */
export type ImportPipelineParts = Pick<
  BaseDependencies,
  'config' | 'logger' | 'store' | 'clock' | 'newUid' | 'cipher'
> & {
  writer: TagWriter;
  credentials: RegistryCredentialsService;
  registry: LazyRegistryClient;
  now: () => string;
  /** How Local tags are served (integrated-registry-adapters.ts); undefined without an integrated registry. */
  server: ImageServer | undefined;
  /** The service's own credentials for its integrated registry (registry tokens). */
  serviceCredentials: () => Promise<RegistryCredentials | undefined>;
};

export type ImportPipeline = ReturnType<typeof importPipeline>;

/**
 * Importing and what drives it: the importer with its signature gate, the import service (spec tags,
 * ImageStreamImports, policy tags), pushes (receivers' hooks, the integrated registry's notifications and
 * ECR's events) and the scheduled re-import. The API loads this module with its first request that imports.
 */
export function importPipeline({
  config,
  logger,
  store,
  clock,
  newUid,
  cipher,
  writer,
  credentials,
  registry,
  now,
  server,
  serviceCredentials,
}: ImportPipelineParts) {
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
    server,
    insecureRegistries: new Set(config.insecureRegistries),
    maxBulkImport: config.maxBulkImport,
    maxPolicyTagPages: config.policyMaxTagPages,
    concurrency: config.importConcurrency,
    budgetMs: config.importBudgetMs,
  });
  const registryPushes = config.integratedRegistry
    ? new IntegratedPushes({
        registry: config.integratedRegistry,
        access: integratedRegistryAccess(config, config.integratedRegistry, serviceCredentials),
        signaturePolicy: (namespace, spec) => imports.signaturePolicy(namespace, spec),
        streams: store.streams,
        importer,
        writer,
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
  return { importer, imports, registryPushes, pushes, scheduler };
}
