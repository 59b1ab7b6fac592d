import * as z from 'zod/mini';
import { parsePullThroughCredentials } from '../../core/adapters/ecr/pull-through-upstreams.ts';
import { type IntegratedRegistry, parseIntegratedRegistry } from '../../core/references/integrated-registry.ts';
import packageJson from '../../package.json' with { type: 'json' };

/**
 * Who provides a setting in AWS: `deployment` settings are the deployer's choice and sst.config.ts passes
 * each one that is set through to every function; `infrastructure` ones sst.config.ts sets from the
 * resources it creates; `runtime` ones Lambda sets itself; `local` ones exist only in local mode and tests.
 */
export type SettingScope = 'deployment' | 'infrastructure' | 'runtime' | 'local';

interface Setting<T> {
  env: string;
  scope: SettingScope;
  /** One line for the README's configuration table. */
  doc: string;
  /** Parses the variable's text; an unset or empty variable arrives as `undefined`. */
  schema: z.ZodMiniType<T, string | undefined>;
  /** The default as the README shows it. */
  shown?: string;
}

// Every setting's schema is built at cold start, since the config is read then: integers share one parser
// per minimum (each a handful of zod objects), so that some forty settings do not build their own.
const integerParsers = new Map<number, z.ZodMiniType<number, string>>();
const integer = (fallback: number | undefined, min = 1) => {
  let parsed = integerParsers.get(min);
  if (!parsed) {
    const value = z
      .string()
      .check(z.regex(/^\d+$/, { error: `must be an integer of at least ${min}` }))
      .check(z.refine((text) => Number(text) >= min, { error: `must be an integer of at least ${min}` }));
    parsed = z.pipe(value, z.transform(Number));
    integerParsers.set(min, parsed);
  }
  return (fallback === undefined ? z.optional(parsed) : z._default(parsed, fallback)) as z.ZodMiniType<
    number,
    string | undefined
  >;
};
const optionalText = z.optional(z.string()) as z.ZodMiniType<string | undefined, string | undefined>;
const requiredText = z.string({ error: 'must be set' }) as z.ZodMiniType<string, string | undefined>;
/** A comma-separated list; spaces around entries are ignored. */
const list = z.pipe(
  z.optional(z.string()),
  z.transform((text) =>
    (text ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean),
  ),
) as z.ZodMiniType<string[], string | undefined>;
const flag = (fallback: boolean) =>
  z._default(z.stringbool({ error: 'must be true or false' }), fallback) as z.ZodMiniType<boolean, string | undefined>;
const base64Key = z.optional(
  z.pipe(
    z.string(),
    z.transform((text, ctx) => {
      const bytes = Buffer.from(text, 'base64');
      if (bytes.length !== 32) ctx.issues.push({ code: 'custom', message: 'must be 32 bytes in base64', input: text });
      return bytes;
    }),
  ),
) as z.ZodMiniType<Buffer | undefined, string | undefined>;
/** A key of at least 32 bytes, in base64. */
const longBase64Key = z.optional(
  z.pipe(
    z.string(),
    z.transform((text, ctx) => {
      const bytes = Buffer.from(text, 'base64');
      if (bytes.length < 32)
        ctx.issues.push({ code: 'custom', message: 'must be at least 32 bytes in base64', input: text });
      return bytes;
    }),
  ),
) as z.ZodMiniType<Buffer | undefined, string | undefined>;
const logLevels = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;
const logLevel = z._default(
  z.pipe(
    z.pipe(
      z.string(),
      z.transform((text) => text.toUpperCase()),
    ),
    z.enum(logLevels, { error: `must be one of ${logLevels.join(', ')}` }),
  ),
  'INFO',
) as z.ZodMiniType<(typeof logLevels)[number], string | undefined>;

const second = 1_000;
const mebibyte = 1024 * 1024;

/** Every setting of the service, once: read by loadConfig, passed through by sst.config.ts, listed in the README. */
export const settings = {
  tableName: { env: 'IMAGESTREAMS_TABLE', scope: 'infrastructure', doc: 'the DynamoDB table', schema: requiredText },
  eventBusName: {
    env: 'IMAGESTREAMS_EVENT_BUS',
    scope: 'infrastructure',
    doc: 'the EventBridge bus events go to; local mode uses its in-process bus instead',
    schema: optionalText,
  },
  integratedRegistry: {
    env: 'IMAGESTREAMS_REGISTRY',
    scope: 'infrastructure',
    doc: "where streams' own repositories live, `host[:port][/prefix]` (the account's ECR registry; `npm start`'s CNCF registry); unset turns the integrated registry off",
    schema: z.optional(
      z.pipe(
        z.string(),
        z.transform((text, ctx) => {
          try {
            return parseIntegratedRegistry(text);
          } catch (error) {
            ctx.issues.push({ code: 'custom', message: (error as Error).message, input: text });
            return undefined;
          }
        }),
      ),
    ) as z.ZodMiniType<IntegratedRegistry | undefined, string | undefined>,
  },
  registryNotificationsSecret: {
    env: 'IMAGESTREAMS_REGISTRY_NOTIFICATIONS_SECRET',
    scope: 'local',
    doc: "the shared secret the integrated registry's notifications carry (`POST /registry/notifications`, `Authorization: Bearer`); unset, that route answers 404. `npm start` creates one in the data folder",
    schema: z.optional(z.string().check(z.minLength(32, { error: 'must be at least 32 characters' }))) as z.ZodMiniType<
      string | undefined,
      string | undefined
    >,
  },
  registryEndpoint: {
    env: 'IMAGESTREAMS_REGISTRY_ENDPOINT',
    scope: 'local',
    doc: 'host:port where the service reaches its integrated registry instead of its own host: a loopback registry standing in for ECR (tests)',
    schema: optionalText,
  },
  registryTokenRoleArn: {
    env: 'IMAGESTREAMS_REGISTRY_TOKEN_ROLE_ARN',
    scope: 'infrastructure',
    doc: 'the role whose STS sessions, narrowed by a session policy to the streams asked for, obtain the ECR passwords `registrytokens` answers',
    schema: optionalText,
  },
  pullThroughCredentials: {
    env: 'IMAGESTREAMS_PULL_THROUGH_CREDENTIALS',
    scope: 'deployment',
    doc: "`<upstream>=<Secrets Manager secret ARN>,…` (`docker-hub`, `ghcr`, `gitlab`, `acr-<registry>`; names starting `ecr-pullthroughcache/`): the credentials ECR's pull-through cache rule for that upstream pulls with, for every namespace's Local tags — a read-only token that sees public images only",
    schema: z.pipe(
      z.optional(z.string()),
      z.transform((text, ctx) => {
        try {
          return parsePullThroughCredentials(text ?? '');
        } catch (error) {
          ctx.issues.push({ code: 'custom', message: (error as Error).message, input: text });
          return {};
        }
      }),
    ) as z.ZodMiniType<Readonly<Record<string, string>>, string | undefined>,
  },
  kmsKeyId: {
    env: 'IMAGESTREAMS_KMS_KEY_ID',
    scope: 'infrastructure',
    doc: 'the KMS key whose data keys seal secrets (envelope encryption)',
    schema: optionalText,
  },
  region: {
    env: 'AWS_REGION',
    scope: 'runtime',
    doc: 'the AWS region (set by Lambda)',
    schema: z._default(z.string(), 'us-east-1') as z.ZodMiniType<string, string | undefined>,
  },
  logLevel: {
    env: 'POWERTOOLS_LOG_LEVEL',
    scope: 'deployment',
    doc: 'the least level logged (Powertools levels)',
    schema: logLevel,
  },
  auditLog: {
    env: 'IMAGESTREAMS_AUDIT_LOG',
    scope: 'deployment',
    doc: 'one log line per write request, allowed or not (who, what, outcome)',
    schema: flag(true),
  },
  historyLimit: {
    env: 'IMAGESTREAMS_HISTORY_LIMIT',
    scope: 'deployment',
    doc: 'history entries kept per tag',
    schema: integer(100),
  },
  maxBodyBytes: {
    env: 'IMAGESTREAMS_MAX_BODY_BYTES',
    scope: 'deployment',
    doc: 'largest request body accepted',
    schema: integer(mebibyte),
    shown: '1048576 (1 MiB)',
  },
  maxHookBodyBytes: {
    env: 'IMAGESTREAMS_MAX_HOOK_BODY_BYTES',
    scope: 'deployment',
    doc: 'largest push notification body (`POST /hooks/{token}`), refused before it is read',
    schema: integer(256 * 1024),
    shown: '262144 (256 KiB)',
  },
  pushCoalesceMs: {
    env: 'IMAGESTREAMS_PUSH_COALESCE_MS',
    scope: 'deployment',
    doc: 'a push import of a tag still running after this long no longer holds back the next notification of it',
    schema: integer(5 * second),
  },
  insecureRegistries: {
    env: 'IMAGESTREAMS_INSECURE_REGISTRIES',
    scope: 'deployment',
    doc: 'registries (host or host:port) that may be plain HTTP and on loopback or private addresses',
    schema: list,
  },
  allowedRegistries: {
    env: 'IMAGESTREAMS_ALLOWED_REGISTRIES',
    scope: 'deployment',
    doc: 'registry host patterns imports may use (`*` wildcards); empty allows all',
    schema: list,
  },
  importTimeoutMs: {
    env: 'IMAGESTREAMS_IMPORT_TIMEOUT_MS',
    scope: 'deployment',
    doc: 'how long a tag write waits for its import; 0 leaves every import to the schedule',
    schema: integer(20 * second, 0),
  },
  importBudgetMs: {
    env: 'IMAGESTREAMS_IMPORT_BUDGET_MS',
    scope: 'deployment',
    doc: 'how long one ImageStreamImport may take in all',
    schema: integer(20 * second),
  },
  importConcurrency: {
    env: 'IMAGESTREAMS_IMPORT_CONCURRENCY',
    scope: 'deployment',
    doc: 'tags one import fetches at a time',
    schema: integer(4),
  },
  maxBulkImport: {
    env: 'IMAGESTREAMS_MAX_BULK_IMPORT',
    scope: 'deployment',
    doc: 'most tags one ImageStreamImport may name or find',
    schema: integer(50),
  },
  policyMaxTagPages: {
    env: 'IMAGESTREAMS_POLICY_MAX_TAG_PAGES',
    scope: 'deployment',
    doc: "pages of a repository's tag listing a policy tag (imagestreams.dev/policy) reads at most",
    schema: integer(20),
  },
  sigstoreTrustedRoot: {
    env: 'IMAGESTREAMS_SIGSTORE_TRUSTED_ROOT',
    scope: 'deployment',
    doc: 'a trusted_root.json file (Fulcio CAs, Rekor and CT log keys) for keyless verification (`imagestreams.dev/verify`): a private Sigstore or an air-gapped copy',
    schema: optionalText,
    shown: 'the public-good root in @sigstore/tuf',
  },
  maxManifestListEntries: {
    env: 'IMAGESTREAMS_MAX_MANIFEST_LIST_ENTRIES',
    scope: 'deployment',
    doc: 'entries a manifest list may have; a longer one fails its import before any child is fetched',
    schema: integer(256),
  },
  manifestListConcurrency: {
    env: 'IMAGESTREAMS_MANIFEST_LIST_CONCURRENCY',
    scope: 'deployment',
    doc: 'child manifests of one manifest list fetched at once, per import',
    schema: integer(8),
  },
  importRetryBaseSeconds: {
    env: 'IMAGESTREAMS_IMPORT_RETRY_BASE_SECONDS',
    scope: 'deployment',
    doc: 'first delay before a failed scheduled import is retried (doubling, at most the interval)',
    schema: integer(60),
  },
  scheduleIntervalSeconds: {
    env: 'IMAGESTREAMS_SCHEDULE_INTERVAL_SECONDS',
    scope: 'deployment',
    doc: 'every scheduled tag is re-checked once per interval',
    schema: integer(900),
  },
  watchPollMs: {
    env: 'IMAGESTREAMS_WATCH_POLL_MS',
    scope: 'local',
    doc: 'local mode: how often a watch (kubectl get -w, kubectl wait) lists its namespace again',
    schema: integer(1000),
  },
  watchTimeoutSeconds: {
    env: 'IMAGESTREAMS_WATCH_TIMEOUT_SECONDS',
    scope: 'local',
    doc: 'local mode: how long a watch lasts when the client names no timeoutSeconds',
    schema: integer(1800),
  },
  watchMaxTimeoutSeconds: {
    env: 'IMAGESTREAMS_WATCH_MAX_TIMEOUT_SECONDS',
    scope: 'local',
    doc: 'local mode: the longest a watch may last, whatever the client asks',
    schema: integer(3600),
  },
  watchMaxActive: {
    env: 'IMAGESTREAMS_WATCH_MAX_ACTIVE',
    scope: 'local',
    doc: 'local mode: watches open at once (429 beyond)',
    schema: integer(100),
  },
  scheduleTickSeconds: {
    env: 'IMAGESTREAMS_SCHEDULE_TICK_SECONDS',
    scope: 'local',
    doc: 'how often local mode plays the schedule (AWS: every minute); `npm start` uses min(60, interval)',
    schema: integer(60),
  },
  schedulerShards: {
    env: 'IMAGESTREAMS_SCHEDULER_SHARDS',
    scope: 'deployment',
    doc: 'scheduled-import invocations per minute, each with its share of the slots',
    schema: integer(1),
  },
  schedulerConcurrency: {
    env: 'IMAGESTREAMS_SCHEDULER_CONCURRENCY',
    scope: 'deployment',
    doc: 'tags one scheduled tick checks at a time',
    schema: integer(16),
  },
  registryRatePerSecond: {
    env: 'IMAGESTREAMS_REGISTRY_RATE_PER_SECOND',
    scope: 'deployment',
    doc: 'requests per second per registry host for scheduled checks',
    schema: integer(20),
  },
  registryBurst: {
    env: 'IMAGESTREAMS_REGISTRY_BURST',
    scope: 'deployment',
    doc: 'requests a registry host may get at once before the rate applies',
    schema: integer(40),
  },
  maxChecksPerTick: {
    env: 'IMAGESTREAMS_MAX_CHECKS_PER_TICK',
    scope: 'deployment',
    doc: 'most tags one tick checks; the rest wait for the next',
    schema: integer(5000),
  },
  tickBudgetMs: {
    env: 'IMAGESTREAMS_TICK_BUDGET_MS',
    scope: 'deployment',
    doc: 'how long one scheduled tick may run (the function times out at 60 s)',
    schema: integer(50 * second),
  },
  admins: {
    env: 'IMAGESTREAMS_ADMINS',
    scope: 'deployment',
    doc: 'users and `group:<name>` entries that are admins everywhere (besides the group system:admins)',
    schema: list,
  },
  namespaceCreators: {
    env: 'IMAGESTREAMS_NAMESPACE_CREATORS',
    scope: 'deployment',
    doc: 'who may create namespaces: users, `group:<name>`, or `*`',
    schema: list,
  },
  accessCacheMs: {
    env: 'IMAGESTREAMS_ACCESS_CACHE_MS',
    scope: 'deployment',
    doc: "how long a namespace's role bindings are cached per instance (a change takes effect within it)",
    schema: integer(5 * second, 0),
  },
  credentialsCacheMs: {
    env: 'IMAGESTREAMS_CREDENTIALS_CACHE_MS',
    scope: 'deployment',
    doc: "how long a namespace's registry secrets are cached per instance for a burst of imports",
    schema: integer(30 * second, 0),
  },
  allowedPrivateHosts: {
    env: 'IMAGESTREAMS_ALLOWED_PRIVATE_HOSTS',
    scope: 'deployment',
    doc: 'host:port of webhook receivers that may be plain HTTP on private or loopback addresses',
    schema: list,
  },
  webhookTimeoutMs: {
    env: 'IMAGESTREAMS_WEBHOOK_TIMEOUT_MS',
    scope: 'deployment',
    doc: 'timeout of one delivery attempt: a webhook request, or an AWS target’s API calls together',
    schema: integer(10 * second),
  },
  deliveryAttempts: {
    env: 'IMAGESTREAMS_DELIVERY_ATTEMPTS',
    scope: 'deployment',
    doc: 'attempts per trigger delivery',
    schema: integer(4),
  },
  deliveryRetryDelayMs: {
    env: 'IMAGESTREAMS_DELIVERY_RETRY_DELAY_MS',
    scope: 'deployment',
    doc: 'first delay between delivery attempts (doubling)',
    schema: integer(500),
  },
  triggerConcurrency: {
    env: 'IMAGESTREAMS_TRIGGER_CONCURRENCY',
    scope: 'deployment',
    doc: 'triggers fired at a time by one fan-out, or checked at a time by one reconcile',
    schema: integer(16),
  },
  triggerLeaseMs: {
    env: 'IMAGESTREAMS_TRIGGER_LEASE_MS',
    scope: 'deployment',
    doc: 'how long a trigger firing holds its claim before another instance may retry it',
    schema: integer(5 * 60 * second),
  },
  registryConnectTimeoutMs: {
    env: 'IMAGESTREAMS_REGISTRY_CONNECT_TIMEOUT_MS',
    scope: 'deployment',
    doc: 'registry connect timeout',
    schema: integer(5 * second),
  },
  registryHeadersTimeoutMs: {
    env: 'IMAGESTREAMS_REGISTRY_HEADERS_TIMEOUT_MS',
    scope: 'deployment',
    doc: 'registry response-headers timeout',
    schema: integer(10 * second),
  },
  registryBodyTimeoutMs: {
    env: 'IMAGESTREAMS_REGISTRY_BODY_TIMEOUT_MS',
    scope: 'deployment',
    doc: 'registry body timeout (between chunks)',
    schema: integer(10 * second),
  },
  registryMaxRetries: {
    env: 'IMAGESTREAMS_REGISTRY_MAX_RETRIES',
    scope: 'deployment',
    doc: 'retries of a transient registry failure (timeouts, 5xx, 429)',
    schema: integer(3, 0),
  },
  registryMinRetryDelayMs: {
    env: 'IMAGESTREAMS_REGISTRY_MIN_RETRY_DELAY_MS',
    scope: 'deployment',
    doc: 'first registry retry delay',
    schema: integer(200),
  },
  registryMaxRetryDelayMs: {
    env: 'IMAGESTREAMS_REGISTRY_MAX_RETRY_DELAY_MS',
    scope: 'deployment',
    doc: 'longest registry retry delay (a longer Retry-After is not waited for)',
    schema: integer(5 * second),
  },
  registryMaxManifestBytes: {
    env: 'IMAGESTREAMS_REGISTRY_MAX_MANIFEST_BYTES',
    scope: 'deployment',
    doc: 'largest manifest, index or tag list read from a registry',
    schema: integer(4 * mebibyte),
    shown: '4194304 (4 MiB)',
  },
  registryMaxBlobBytes: {
    env: 'IMAGESTREAMS_REGISTRY_MAX_BLOB_BYTES',
    scope: 'deployment',
    doc: 'largest image config blob read from a registry',
    schema: integer(8 * mebibyte),
    shown: '8388608 (8 MiB)',
  },
  localReferenceMaxBytes: {
    env: 'IMAGESTREAMS_LOCAL_REFERENCE_MAX_BYTES',
    scope: 'deployment',
    doc: 'local mode: the largest image (manifests and blobs) a `referencePolicy: Local` tag copies into the integrated registry; a larger one records its source with a LocalReference condition',
    schema: integer(512 * mebibyte),
    shown: '536870912 (512 MiB)',
  },
  registryTokenSeconds: {
    env: 'IMAGESTREAMS_REGISTRY_TOKEN_SECONDS',
    scope: 'deployment',
    doc: 'how long a password from `registrytokens` lasts; in AWS between 900 and 3600 (an STS session a role assumes lasts an hour at most), and never longer than its ECR token',
    schema: integer(3600, 60),
  },
  continueTokenKey: {
    env: 'IMAGESTREAMS_CONTINUE_TOKEN_KEY',
    scope: 'deployment',
    doc: 'base64 key (at least 32 bytes) signing list continue tokens; unset, one derived from the credentials key, and without that lists ignore `limit`',
    schema: longBase64Key,
    shown: 'derived',
  },
  credentialsKey: {
    env: 'IMAGESTREAMS_CREDENTIALS_KEY',
    scope: 'local',
    doc: '32-byte base64 key sealing secrets at rest without KMS; `npm start` creates one in the data folder',
    schema: base64Key,
  },
  registryTokenKey: {
    env: 'IMAGESTREAMS_REGISTRY_TOKEN_KEY',
    scope: 'local',
    doc: "a PEM file with the key (EC P-256) and self-signed certificate that sign the local registry's tokens; `npm start` creates one in the data folder, and the registry trusts its certificate",
    schema: optionalText,
  },
  dynamoEndpoint: {
    env: 'IMAGESTREAMS_DYNAMODB_ENDPOINT',
    scope: 'local',
    doc: 'where DynamoDB (dynalite) listens',
    schema: optionalText,
  },
  kmsEndpoint: {
    env: 'IMAGESTREAMS_KMS_ENDPOINT',
    scope: 'local',
    doc: 'a KMS endpoint (tests)',
    schema: optionalText,
  },
  eventBridgeEndpoint: {
    env: 'IMAGESTREAMS_EVENTBRIDGE_ENDPOINT',
    scope: 'local',
    doc: 'an EventBridge endpoint (tests)',
    schema: optionalText,
  },
  stsEndpoint: {
    env: 'IMAGESTREAMS_STS_ENDPOINT',
    scope: 'local',
    doc: 'an STS endpoint (tests)',
    schema: optionalText,
  },
  ecrEndpoint: {
    env: 'IMAGESTREAMS_ECR_ENDPOINT',
    scope: 'local',
    doc: 'an ECR endpoint (tests)',
    schema: optionalText,
  },
  awsTargetsEndpoint: {
    env: 'IMAGESTREAMS_AWS_TARGETS_ENDPOINT',
    scope: 'local',
    doc: 'one endpoint for the CodeBuild, ECS, Lambda and EventBridge targets (tests)',
    schema: optionalText,
  },
} as const satisfies Record<string, Setting<unknown>>;

type Settings = typeof settings;

/** Deployment configuration, read once at the edge and validated; plus what is fixed by the build. */
export type Config = { readonly [K in keyof Settings]: z.output<Settings[K]['schema']> } & {
  /** `imagestreams/<version>`, sent on every registry request. */
  readonly userAgent: string;
};

/** The variables sst.config.ts must set from the resources it creates. */
export type InfrastructureVariable = {
  [K in keyof Settings]: Settings[K]['scope'] extends 'infrastructure' ? Settings[K]['env'] : never;
}[keyof Settings];

/** Reads and validates every setting; one error names every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, setting] of Object.entries(settings) as [keyof Settings, Setting<unknown>][]) {
    // Empty counts as unset; the region may also come from the SDK's other variable.
    const raw = env[setting.env] || (key === 'region' ? env.AWS_DEFAULT_REGION : undefined) || undefined;
    const result = z.safeParse(setting.schema, raw);
    if (result.success) values[key] = result.data;
    else
      problems.push(
        `${setting.env} ${result.error.issues[0]?.message ?? 'is invalid'}${raw === undefined ? '' : `, not ${JSON.stringify(raw)}`}`,
      );
  }
  if (!problems.length) {
    // A claim outlives the delivery it guards, or the reconcile would deliver again while it still runs.
    const longest = longestDeliveryMs(values as unknown as Config);
    if (longest >= (values.triggerLeaseMs as number))
      problems.push(
        `IMAGESTREAMS_TRIGGER_LEASE_MS must be longer than one delivery can take (${longest} ms: every attempt’s timeout and the delays between them), not ${values.triggerLeaseMs}`,
      );
  }
  if (problems.length) throw new Error(`configuration: ${problems.join('; ')}`);
  return { ...values, userAgent: `imagestreams/${packageJson.version}` } as Config;
}

/** The longest one trigger delivery may take: each attempt's timeout, and the doubling delays between attempts. */
export function longestDeliveryMs(
  config: Pick<Config, 'deliveryAttempts' | 'webhookTimeoutMs' | 'deliveryRetryDelayMs'>,
): number {
  const delays = config.deliveryRetryDelayMs * (2 ** Math.max(config.deliveryAttempts - 1, 0) - 1);
  return config.deliveryAttempts * config.webhookTimeoutMs + delays;
}

/**
 * How long the functions that fire triggers from events may run, in seconds: the trigger lease, so that a
 * delivery cut short by the timeout is retried by the reconcile only once its claim has lapsed, and no sooner
 * (Lambda allows at most 900 s).
 */
export function firingTimeoutSeconds(config: Pick<Config, 'triggerLeaseMs'>): number {
  return Math.min(Math.floor(config.triggerLeaseMs / 1000), 900);
}

/**
 * The deployer's settings to pass to every function, validated before anything is deployed: each
 * `deployment` setting that is set in `env`. Unset ones take their defaults in the function.
 */
export function deploymentEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  const passed: Record<string, string> = {};
  for (const setting of Object.values(settings) as Setting<unknown>[]) {
    const value = env[setting.env];
    if (setting.scope !== 'deployment' || value === undefined || value === '') continue;
    const result = z.safeParse(setting.schema, value);
    if (!result.success)
      throw new Error(`configuration: ${setting.env} ${result.error.issues[0]?.message}, not ${JSON.stringify(value)}`);
    passed[setting.env] = value;
  }
  return passed;
}
