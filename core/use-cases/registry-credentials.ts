import * as z from 'zod/mini';
import { InvalidError, NotFoundError } from '../errors.ts';
import { parseDockerConfig, registryKey } from '../importing/docker-config.ts';
import type { Clock, SecretCipher, SecretStore, StoredSecret } from '../ports.ts';
import type { RegistryCredentials } from '../ports-registry.ts';
import { checkBodyIdentity, isObjectName, requireNamespace } from '../streams/names.ts';
import { parseBody } from '../streams/schemas.ts';
import { timestamp } from '../timestamp.ts';

const dockerConfigType = 'kubernetes.io/dockerconfigjson';
const configKey = '.dockerconfigjson';

const secretSchema = z.object({
  apiVersion: z.optional(z.literal('v1', { error: 'must be "v1"' })),
  kind: z.optional(z.literal('Secret', { error: 'must be "Secret"' })),
  metadata: z.object({ name: z.optional(z.string()), namespace: z.optional(z.string()) }),
  type: z.literal(dockerConfigType, { error: `must be "${dockerConfigType}"` }),
  data: z.optional(z.record(z.string(), z.string())),
  stringData: z.optional(z.record(z.string(), z.string())),
});

/** What the API shows of a secret: never the credentials, only which registries they are for. */
export interface SecretView {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: { name: string; namespace: string; creationTimestamp: string };
  type: string;
  registries: string[];
}

/**
 * Registry credentials per namespace, as `kubernetes.io/dockerconfigjson` secrets: write-only through
 * the API, sealed at rest, opened only to authenticate imports.
 */
export class RegistryCredentialsService {
  private readonly secrets: SecretStore;
  private readonly cipher: SecretCipher;
  private readonly clock: Clock;
  private readonly cacheMs: number;
  /** Secrets per namespace, read once for a burst of imports (a scheduled tick checks many tags of one namespace). */
  private readonly cache = new Map<string, { at: number; secrets: Promise<StoredSecret[]> }>();

  constructor(options: { secrets: SecretStore; cipher: SecretCipher; clock: Clock; cacheMs?: number }) {
    this.secrets = options.secrets;
    this.cipher = options.cipher;
    this.clock = options.clock;
    this.cacheMs = options.cacheMs ?? 30_000;
  }

  /** POST (create) or PUT (create or replace) a secret. */
  async putSecret(namespace: string, urlName: string | undefined, body: unknown): Promise<SecretView> {
    requireNamespace(namespace);
    const parsed = parseBody(secretSchema, body);
    if ('causes' in parsed) throw new InvalidError('Secret', urlName ?? '', parsed.causes);
    const input = parsed.value;
    const name = input.metadata.name ?? urlName ?? '';
    checkBodyIdentity(input.metadata, namespace, urlName);
    if (!isObjectName(name)) {
      throw new InvalidError('Secret', name, [
        { reason: 'FieldValueInvalid', field: 'metadata.name', message: 'must be a lowercase RFC 1123 subdomain' },
      ]);
    }
    const config = configText(input.data, input.stringData);
    let registries: string[];
    try {
      registries = [...parseDockerConfig(config).keys()].sort();
    } catch (error) {
      // The message names the registry entry at most, never a credential; for that reason the parse error is
      // not kept as the cause either (JSON.parse quotes the text it failed on).
      throw new InvalidError('Secret', name, [
        {
          reason: 'FieldValueInvalid',
          field: `data[${configKey}]`,
          message: error instanceof SyntaxError ? 'is not JSON' : (error as Error).message,
        },
      ]);
    }
    const secret: StoredSecret = {
      name,
      secretType: dockerConfigType,
      registries,
      creationTimestamp: timestamp(this.clock.now()),
      sealed: await this.cipher.seal(config, `${namespace}/${name}`),
    };
    await this.secrets.putSecret(namespace, secret, urlName === undefined);
    this.cache.delete(namespace);
    return view(namespace, secret);
  }

  async listSecrets(
    namespace: string,
  ): Promise<{ apiVersion: 'v1'; kind: 'SecretList'; metadata: Record<string, never>; items: SecretView[] }> {
    requireNamespace(namespace);
    return {
      apiVersion: 'v1',
      kind: 'SecretList',
      metadata: {},
      items: (await this.secrets.listSecrets(namespace)).map((s) => view(namespace, s)),
    };
  }

  async getSecret(namespace: string, name: string): Promise<SecretView> {
    requireNamespace(namespace);
    const secret = (await this.secrets.listSecrets(namespace)).find((s) => s.name === name);
    if (!secret) throw new NotFoundError('secrets', name);
    return view(namespace, secret);
  }

  async deleteSecret(
    namespace: string,
    name: string,
  ): Promise<{
    apiVersion: 'v1';
    kind: 'Status';
    metadata: Record<string, never>;
    status: 'Success';
    details: { name: string; kind: string };
  }> {
    requireNamespace(namespace);
    await this.secrets.deleteSecret(namespace, name);
    this.cache.delete(namespace);
    return { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Success', details: { name, kind: 'secrets' } };
  }

  /**
   * The credentials a namespace holds for a registry host, for an import; undefined when it has none.
   * Another instance's change to the namespace's secrets is seen within `cacheMs`.
   */
  async credentialsFor(namespace: string, host: string): Promise<RegistryCredentials | undefined> {
    const key = registryKey(host);
    const now = this.clock.now().getTime();
    let cached = this.cache.get(namespace);
    if (!cached || now - cached.at > this.cacheMs) {
      cached = { at: now, secrets: this.secrets.listSecrets(namespace) };
      this.cache.set(namespace, cached);
      cached.secrets.catch(() => this.cache.delete(namespace));
    }
    for (const secret of await cached.secrets) {
      if (!secret.registries.includes(key)) continue;
      const config = parseDockerConfig(await this.cipher.open(secret.sealed, `${namespace}/${secret.name}`));
      const credentials = config.get(key);
      if (credentials) return credentials;
    }
    return undefined;
  }
}

function configText(data: Record<string, string> | undefined, stringData: Record<string, string> | undefined): string {
  const plain = stringData?.[configKey];
  if (plain !== undefined) return plain;
  const encoded = data?.[configKey];
  if (encoded === undefined)
    throw new InvalidError('Secret', '', [
      { reason: 'FieldValueRequired', field: `data[${configKey}]`, message: 'Required value' },
    ]);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded))
    throw new InvalidError('Secret', '', [
      { reason: 'FieldValueInvalid', field: `data[${configKey}]`, message: 'must be base64' },
    ]);
  return Buffer.from(encoded, 'base64').toString('utf8');
}

function view(namespace: string, secret: StoredSecret): SecretView {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: secret.name, namespace, creationTimestamp: secret.creationTimestamp },
    type: secret.secretType,
    registries: secret.registries,
  };
}
