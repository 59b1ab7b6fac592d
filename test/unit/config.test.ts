import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { deploymentEnvironment, loadConfig, settings } from '../../functions/lib/config.ts';

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

describe('the README', () => {
  it.each(Object.values(settings).map((s) => s.env))('has a row for %s', (name) => {
    expect(readme).toMatch(new RegExp(`^\\| \`${name}\``, 'm'));
  });
});
