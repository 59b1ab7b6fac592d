import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  deploymentEnvironment,
  firingTimeoutSeconds,
  loadConfig,
  longestDeliveryMs,
  settings,
} from '../../functions/lib/config.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('loadConfig', () => {
  it('gives every tunable its default, and treats an empty variable as unset', () => {
    const config = loadConfig({ IMAGESTREAMS_TABLE: 't', IMAGESTREAMS_HISTORY_LIMIT: '' });
    expect(config).toMatchObject({
      tableName: 't',
      region: 'us-east-1',
      logLevel: 'INFO',
      auditLog: true,
      historyLimit: 100,
      accessCacheMs: 5000,
      credentialsCacheMs: 30000,
      importConcurrency: 4,
      importBudgetMs: 20000,
      schedulerConcurrency: 16,
      triggerConcurrency: 16,
      triggerLeaseMs: 300000,
      registryBurst: 40,
      registryMaxManifestBytes: 4194304,
      registryMaxBlobBytes: 8388608,
      admins: [],
      credentialsKey: undefined,
    });
  });

  it('parses lists, flags, levels, keys and zero where zero means something', () => {
    const config = loadConfig({
      IMAGESTREAMS_TABLE: 't',
      IMAGESTREAMS_ADMINS: ' bob , group:ops,,',
      IMAGESTREAMS_AUDIT_LOG: 'false',
      POWERTOOLS_LOG_LEVEL: 'warn',
      IMAGESTREAMS_CREDENTIALS_KEY: Buffer.alloc(32, 7).toString('base64'),
      IMAGESTREAMS_IMPORT_TIMEOUT_MS: '0',
      AWS_DEFAULT_REGION: 'eu-west-1',
    });
    expect(config.admins).toEqual(['bob', 'group:ops']);
    expect(config.auditLog).toBe(false);
    expect(config.logLevel).toBe('WARN');
    expect(config.credentialsKey).toEqual(Buffer.alloc(32, 7));
    expect(config.importTimeoutMs).toBe(0);
    expect(config.region).toBe('eu-west-1');
  });

  it('refuses bad values, naming every bad variable at once', () => {
    expect(() =>
      loadConfig({
        IMAGESTREAMS_HISTORY_LIMIT: '0',
        IMAGESTREAMS_ACCESS_CACHE_MS: '1.5',
        IMAGESTREAMS_AUDIT_LOG: 'maybe',
        IMAGESTREAMS_CREDENTIALS_KEY: 'c2hvcnQ=',
      }),
    ).toThrow(
      'configuration: IMAGESTREAMS_TABLE must be set; IMAGESTREAMS_AUDIT_LOG must be true or false, not "maybe"; ' +
        'IMAGESTREAMS_HISTORY_LIMIT must be an integer of at least 1, not "0"; ' +
        'IMAGESTREAMS_ACCESS_CACHE_MS must be an integer of at least 0, not "1.5"; ' +
        'IMAGESTREAMS_CREDENTIALS_KEY must be 32 bytes in base64, not "c2hvcnQ="',
    );
  });
});

describe('the trigger lease and the firing functions’ timeout', () => {
  it('takes a delivery to last every attempt’s timeout and the doubling delays between attempts', () => {
    // 4 attempts of 10 s, waiting 0.5, 1 and 2 s between them.
    expect(longestDeliveryMs({ deliveryAttempts: 4, webhookTimeoutMs: 10_000, deliveryRetryDelayMs: 500 })).toBe(
      43_500,
    );
    expect(longestDeliveryMs({ deliveryAttempts: 1, webhookTimeoutMs: 2_000, deliveryRetryDelayMs: 500 })).toBe(2_000);
  });

  it('refuses a lease that a delivery can outlast, which would let the reconcile deliver again meanwhile', () => {
    expect(() => loadConfig({ IMAGESTREAMS_TABLE: 't', IMAGESTREAMS_TRIGGER_LEASE_MS: '43500' })).toThrow(
      'configuration: IMAGESTREAMS_TRIGGER_LEASE_MS must be longer than one delivery can take (43500 ms: every attempt’s timeout and the delays between them), not 43500',
    );
    expect(loadConfig({ IMAGESTREAMS_TABLE: 't', IMAGESTREAMS_TRIGGER_LEASE_MS: '43501' }).triggerLeaseMs).toBe(43_501);
  });

  it('lets the functions that fire run as long as the lease (the default: 300 s), at most Lambda’s 900 s', () => {
    expect(firingTimeoutSeconds(loadConfig({ IMAGESTREAMS_TABLE: 't' }))).toBe(300);
    expect(firingTimeoutSeconds({ triggerLeaseMs: 60_500 })).toBe(60);
    expect(firingTimeoutSeconds({ triggerLeaseMs: 3_600_000 })).toBe(900);
  });
});

describe('deploymentEnvironment', () => {
  it("passes the deployer's settings that are set, and nothing local, runtime or unknown", () => {
    expect(
      deploymentEnvironment({
        IMAGESTREAMS_HISTORY_LIMIT: '50',
        IMAGESTREAMS_TRIGGER_CONCURRENCY: '4',
        IMAGESTREAMS_ADMINS: '',
        IMAGESTREAMS_DYNAMODB_ENDPOINT: 'http://127.0.0.1:4567',
        IMAGESTREAMS_CREDENTIALS_KEY: Buffer.alloc(32).toString('base64'),
        AWS_REGION: 'eu-west-1',
        IMAGESTREAMS_TABLE: 'mine',
        HOME: '/root',
      }),
    ).toEqual({ IMAGESTREAMS_HISTORY_LIMIT: '50', IMAGESTREAMS_TRIGGER_CONCURRENCY: '4' });
  });

  it('refuses a bad value before anything is deployed', () => {
    expect(() => deploymentEnvironment({ IMAGESTREAMS_SCHEDULER_SHARDS: 'two' })).toThrow(
      'configuration: IMAGESTREAMS_SCHEDULER_SHARDS must be an integer of at least 1, not "two"',
    );
  });
});

describe('IMAGESTREAMS_PULL_THROUGH_CREDENTIALS', () => {
  const hub = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:ecr-pullthroughcache/docker-hub-AbCdEf';
  const ghcr = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:ecr-pullthroughcache/ghcr-123456';
  const load = (value: string) =>
    loadConfig({ IMAGESTREAMS_TABLE: 't', IMAGESTREAMS_PULL_THROUGH_CREDENTIALS: value }).pullThroughCredentials;

  it('maps each upstream to its secret, and is empty when unset', () => {
    expect(load(` docker-hub=${hub} , ghcr=${ghcr},acr-myteam=${hub}`)).toEqual({
      'docker-hub': hub,
      ghcr,
      'acr-myteam': hub,
    });
    expect(loadConfig({ IMAGESTREAMS_TABLE: 't' }).pullThroughCredentials).toEqual({});
  });

  it.each([
    [
      'a secret whose name ECR does not read',
      'docker-hub=arn:aws:secretsmanager:eu-west-1:123456789012:secret:dockerhub-token-AbCdEf',
      'gives the secret "dockerhub-token-AbCdEf" for docker-hub: ECR takes only secrets whose name starts with ecr-pullthroughcache/',
    ],
    [
      'something else than a secret ARN',
      'docker-hub=arn:aws:iam::123456789012:role/puller',
      'gives "arn:aws:iam::123456789012:role/puller" for docker-hub, which is not a Secrets Manager secret ARN',
    ],
    [
      'an upstream that takes no secret',
      `quay=${hub}`,
      'names "quay", which is not an upstream ECR reaches with a secret (docker-hub, ghcr, gitlab, acr-<registry>)',
    ],
    ['an upstream twice', `ghcr=${ghcr},ghcr=${hub}`, 'names "ghcr" twice'],
    ['an entry without its secret', 'docker-hub', 'must list <upstream>=<secret ARN> entries: "docker-hub" is not one'],
  ])('refuses %s at load, and before anything is deployed', (_what, value, message) => {
    expect(() => load(value)).toThrow(`IMAGESTREAMS_PULL_THROUGH_CREDENTIALS ${message}`);
    expect(() => deploymentEnvironment({ IMAGESTREAMS_PULL_THROUGH_CREDENTIALS: value })).toThrow(message);
  });
});

describe('the README', () => {
  it.each(Object.values(settings).map((s) => s.env))('has a row for %s', (name) => {
    expect(readme).toMatch(new RegExp(`^\\| \`${name}\``, 'm'));
  });
});
