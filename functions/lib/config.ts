import packageJson from '../../package.json' with { type: 'json' };

/** Deployment configuration, read once at the edge from the environment. */
export interface Config {
  tableName: string;
  /** Set in local mode and tests: where DynamoDB (dynalite) listens. */
  dynamoEndpoint: string | undefined;
  region: string;
  historyLimit: number;
  maxBodyBytes: number;
  /** Registries (host or host:port) that may be plain HTTP and on loopback or private addresses. */
  insecureRegistries: string[];
  /** Registry host patterns imports may use (`*` wildcards); empty allows all. */
  allowedRegistries: string[];
  /** 32-byte key that seals registry credentials at rest (local mode); without it or a KMS key, credentials cannot be stored. */
  credentialsKey: Buffer | undefined;
  /** In AWS: the KMS key whose data keys seal secrets (envelope encryption). */
  kmsKeyId: string | undefined;
  /** Tests point the KMS client at a loopback endpoint. */
  kmsEndpoint: string | undefined;
  /** How long a tag write waits for its import before leaving the tag pending; 0 leaves every import to the scheduled pass. */
  importTimeoutMs: number;
  maxBulkImport: number;
  /** The EventBridge bus events go to (AWS); local mode uses its in-process bus instead. */
  eventBusName: string | undefined;
  /** Tests point the EventBridge client at a loopback endpoint. */
  eventBridgeEndpoint: string | undefined;
  /** Every scheduled tag is re-checked once per interval. */
  scheduleIntervalSeconds: number;
  /** How often the schedule ticks: every minute in AWS; local mode ticks faster for short intervals. */
  scheduleTickSeconds: number;
  schedulerShards: number;
  /** Requests per second per registry host for scheduled checks. */
  registryRatePerSecond: number;
  maxChecksPerTick: number;
  tickBudgetMs: number;
  /** Users and `group:<name>` entries that are admins in every namespace (besides the group system:admins). */
  admins: string[];
  /** Who may create namespaces: users, `group:<name>`, or `*`. */
  namespaceCreators: string[];
  /** host:port of webhook receivers that may be plain HTTP on private or loopback addresses (local mode, tests). */
  allowedPrivateHosts: string[];
  /** Tests point the CodeBuild, ECS, Lambda and EventBridge target clients at a loopback endpoint. */
  awsTargetsEndpoint: string | undefined;
  webhookTimeoutMs: number;
  deliveryAttempts: number;
  deliveryRetryDelayMs: number;
  /** Entries a manifest list may have; a longer one fails its import before any child is fetched. */
  maxManifestListEntries: number;
  /** Child manifests of one manifest list fetched at once, per import. */
  manifestListConcurrency: number;
  registry: {
    /** `imagestreams/<version>`, sent on every registry request. */
    userAgent: string;
    connectTimeoutMs: number;
    headersTimeoutMs: number;
    bodyTimeoutMs: number;
    maxRetries: number;
    minRetryDelayMs: number;
    maxRetryDelayMs: number;
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    tableName: required(env, 'IMAGESTREAMS_TABLE'),
    dynamoEndpoint: env.IMAGESTREAMS_DYNAMODB_ENDPOINT || undefined,
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    historyLimit: positiveInteger(env, 'IMAGESTREAMS_HISTORY_LIMIT', 100),
    maxBodyBytes: positiveInteger(env, 'IMAGESTREAMS_MAX_BODY_BYTES', 1024 * 1024),
    insecureRegistries: list(env, 'IMAGESTREAMS_INSECURE_REGISTRIES'),
    allowedRegistries: list(env, 'IMAGESTREAMS_ALLOWED_REGISTRIES'),
    credentialsKey: key(env, 'IMAGESTREAMS_CREDENTIALS_KEY'),
    kmsKeyId: env.IMAGESTREAMS_KMS_KEY_ID || undefined,
    kmsEndpoint: env.IMAGESTREAMS_KMS_ENDPOINT || undefined,
    importTimeoutMs: positiveInteger(env, 'IMAGESTREAMS_IMPORT_TIMEOUT_MS', 20_000, 0),
    maxBulkImport: positiveInteger(env, 'IMAGESTREAMS_MAX_BULK_IMPORT', 50),
    eventBusName: env.IMAGESTREAMS_EVENT_BUS || undefined,
    eventBridgeEndpoint: env.IMAGESTREAMS_EVENTBRIDGE_ENDPOINT || undefined,
    scheduleIntervalSeconds: positiveInteger(env, 'IMAGESTREAMS_SCHEDULE_INTERVAL_SECONDS', 900),
    scheduleTickSeconds: positiveInteger(env, 'IMAGESTREAMS_SCHEDULE_TICK_SECONDS', 60),
    schedulerShards: positiveInteger(env, 'IMAGESTREAMS_SCHEDULER_SHARDS', 1),
    registryRatePerSecond: positiveInteger(env, 'IMAGESTREAMS_REGISTRY_RATE_PER_SECOND', 20),
    maxChecksPerTick: positiveInteger(env, 'IMAGESTREAMS_MAX_CHECKS_PER_TICK', 5000),
    tickBudgetMs: positiveInteger(env, 'IMAGESTREAMS_TICK_BUDGET_MS', 50_000),
    admins: list(env, 'IMAGESTREAMS_ADMINS'),
    namespaceCreators: list(env, 'IMAGESTREAMS_NAMESPACE_CREATORS'),
    allowedPrivateHosts: list(env, 'IMAGESTREAMS_ALLOWED_PRIVATE_HOSTS'),
    awsTargetsEndpoint: env.IMAGESTREAMS_AWS_TARGETS_ENDPOINT || undefined,
    webhookTimeoutMs: positiveInteger(env, 'IMAGESTREAMS_WEBHOOK_TIMEOUT_MS', 10_000),
    deliveryAttempts: positiveInteger(env, 'IMAGESTREAMS_DELIVERY_ATTEMPTS', 4),
    deliveryRetryDelayMs: positiveInteger(env, 'IMAGESTREAMS_DELIVERY_RETRY_DELAY_MS', 500),
    maxManifestListEntries: positiveInteger(env, 'IMAGESTREAMS_MAX_MANIFEST_LIST_ENTRIES', 256),
    manifestListConcurrency: positiveInteger(env, 'IMAGESTREAMS_MANIFEST_LIST_CONCURRENCY', 8),
    registry: {
      userAgent: `imagestreams/${packageJson.version}`,
      connectTimeoutMs: positiveInteger(env, 'IMAGESTREAMS_REGISTRY_CONNECT_TIMEOUT_MS', 5_000),
      headersTimeoutMs: positiveInteger(env, 'IMAGESTREAMS_REGISTRY_HEADERS_TIMEOUT_MS', 10_000),
      bodyTimeoutMs: positiveInteger(env, 'IMAGESTREAMS_REGISTRY_BODY_TIMEOUT_MS', 10_000),
      maxRetries: positiveInteger(env, 'IMAGESTREAMS_REGISTRY_MAX_RETRIES', 3),
      minRetryDelayMs: positiveInteger(env, 'IMAGESTREAMS_REGISTRY_MIN_RETRY_DELAY_MS', 200),
      maxRetryDelayMs: positiveInteger(env, 'IMAGESTREAMS_REGISTRY_MAX_RETRY_DELAY_MS', 5_000),
    },
  };
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`configuration: ${name} must be set`);
  return value;
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 1): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new Error(`configuration: ${name} must be an integer of at least ${min}, not ${JSON.stringify(raw)}`);
  return value;
}

function list(env: NodeJS.ProcessEnv, name: string): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function key(env: NodeJS.ProcessEnv, name: string): Buffer | undefined {
  const raw = env[name];
  if (!raw) return undefined;
  const bytes = Buffer.from(raw, 'base64');
  if (bytes.length !== 32) throw new Error(`configuration: ${name} must be 32 bytes in base64`);
  return bytes;
}
