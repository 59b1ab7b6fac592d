import * as z from 'zod/mini';
import { type FieldCause, InvalidError, NotFoundError } from '../errors.ts';
import { parseDockerConfig, registryKey } from '../importing/docker-config.ts';
import { type List, listOf } from '../kube/list-of.ts';
import { type ListRequest, takePage, wholeList } from '../kube/list-request.ts';
import { parseOrInvalid } from '../kube/parse-or-invalid.ts';
import { type SuccessStatus, successStatus } from '../kube/success-status.ts';
import { lazy } from '../lazy.ts';
import type { Clock, SecretCipher, SecretStore, StoredSecret } from '../ports.ts';
import type { IntegratedRegistryAccess, RegistryCredentials } from '../ports-registry.ts';
import { isIntegratedHost } from '../references/integrated-registry.ts';
import { checkBodyIdentity, requireNamespace, validateObjectName } from '../streams/names.ts';
import { timestamp } from '../timestamp.ts';

const dockerConfigType = 'kubernetes.io/dockerconfigjson';
const opaqueType = 'Opaque';
const configKey = '.dockerconfigjson';
/** Where a read shows which registries a dockerconfigjson secret is for (they are not secret; its data is). */
export const registriesAnnotation = 'imagestreams.dev/registries';
const dataKeyRegExp = /^[-._a-zA-Z0-9]+$/;
const base64RegExp = /^[A-Za-z0-9+/]*={0,2}$/;

/** A core/v1 Secret: registry credentials (`kubernetes.io/dockerconfigjson`) or other values (`Opaque`, the default). */
export const secretSchema = lazy(() =>
  z.object({
    apiVersion: z.optional(z.literal('v1', { error: 'must be "v1"' })),
    kind: z.optional(z.literal('Secret', { error: 'must be "Secret"' })),
    metadata: z.object({ name: z.optional(z.string()), namespace: z.optional(z.string()) }),
    type: z.optional(
      z.enum([dockerConfigType, opaqueType, ''], { error: `must be "${dockerConfigType}" or "${opaqueType}"` }),
    ),
    data: z.optional(z.nullable(z.record(z.string(), z.string()))),
    stringData: z.optional(z.nullable(z.record(z.string(), z.string()))),
  }),
);

/** What the API shows of a secret: never its data; for registry credentials, which registries they are for. */
export interface SecretView {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: { name: string; namespace: string; creationTimestamp: string; annotations?: Record<string, string> };
  type: string;
}

/**
 * A namespace's secrets: registry credentials as `kubernetes.io/dockerconfigjson` secrets, other values
 * (webhook tokens, keys) as `Opaque` ones. Write-only through the API, sealed at rest; registry
 * credentials are opened only to authenticate imports.
 */
export class RegistryCredentialsService {
  private readonly secrets: SecretStore;
  private readonly cipher: SecretCipher;
  private readonly clock: Clock;
  private readonly cacheMs: number;
  /** The integrated registry's host as references name it, and the service's own credentials for it. */
  private readonly integrated: Pick<IntegratedRegistryAccess, 'host' | 'credentials'> | undefined;
  /** Secrets per namespace, read once for a burst of imports (a scheduled tick checks many tags of one namespace). */
  private readonly cache = new Map<string, { at: number; secrets: Promise<StoredSecret[]> }>();

  constructor(options: {
    secrets: SecretStore;
    cipher: SecretCipher;
    clock: Clock;
    cacheMs: number;
    integrated?: Pick<IntegratedRegistryAccess, 'host' | 'credentials'> | undefined;
  }) {
    this.secrets = options.secrets;
    this.cipher = options.cipher;
    this.clock = options.clock;
    this.cacheMs = options.cacheMs;
    this.integrated = options.integrated;
  }

  /** POST (create) or PUT (create or replace) a secret. */
  async putSecret(namespace: string, urlName: string | undefined, body: unknown): Promise<SecretView> {
    requireNamespace(namespace);
    const input = parseOrInvalid(secretSchema, body, 'Secret', urlName ?? '');
    const name = input.metadata.name ?? urlName ?? '';
    checkBodyIdentity(input.metadata, namespace, urlName);
    const nameCauses = validateObjectName(name);
    if (nameCauses.length) throw new InvalidError('Secret', name, nameCauses);
    const secretType = input.type || opaqueType;
    const data = input.data ?? undefined;
    const stringData = input.stringData ?? undefined;
    let plaintext: string;
    let registries: string[] = [];
    if (secretType === dockerConfigType) {
      plaintext = configText(data, stringData);
      try {
        registries = [...parseDockerConfig(plaintext).keys()].sort();
      } catch (error) {
        // The message names the registry entry at most, never a credential.
        throw new InvalidError('Secret', name, [
          {
            reason: 'FieldValueInvalid',
            field: `data[${configKey}]`,
            message: error instanceof SyntaxError ? 'is not JSON' : (error as Error).message,
          },
        ]);
      }
    } else {
      // Sealed as the data map (base64 values), with stringData merged in as Kubernetes does on write.
      plaintext = JSON.stringify(opaqueData(name, data, stringData));
    }
    const secret: StoredSecret = {
      name,
      secretType,
      registries,
      creationTimestamp: timestamp(this.clock.now()),
      sealed: await this.cipher.seal(plaintext, `${namespace}/${name}`),
    };
    const stored = await this.secrets.putSecret(namespace, secret, urlName === undefined);
    this.cache.delete(namespace);
    return view(namespace, stored);
  }

  async listSecrets(namespace: string, request: ListRequest = wholeList): Promise<List<SecretView, 'SecretList'>> {
    requireNamespace(namespace);
    const secrets = this.secrets.secretsAfter(namespace, request.after, request.limit && request.limit + 1);
    const page = await takePage(secrets, request, (s) => ({ position: s.name, metadata: { name: s.name, namespace } }));
    return listOf(
      'v1',
      'SecretList',
      page.items.map((s) => view(namespace, s)),
      page.metadata,
    );
  }

  async getSecret(namespace: string, name: string): Promise<SecretView> {
    requireNamespace(namespace);
    const secret = (await this.secrets.listSecrets(namespace)).find((s) => s.name === name);
    if (!secret) throw new NotFoundError('secrets', name);
    return view(namespace, secret);
  }

  /**
   * The secret with its data opened, for a patch to merge into on the server (Kubernetes merges a patch's
   * data keys with the stored ones). Never an answer: the API shows secrets without data.
   */
  async openSecret(namespace: string, name: string): Promise<SecretView & { data: Record<string, string> }> {
    requireNamespace(namespace);
    const secret = (await this.secrets.listSecrets(namespace)).find((s) => s.name === name);
    if (!secret) throw new NotFoundError('secrets', name);
    const plaintext = await this.cipher.open(secret.sealed, `${namespace}/${name}`);
    const data =
      secret.secretType === dockerConfigType
        ? { [configKey]: Buffer.from(plaintext, 'utf8').toString('base64') }
        : (JSON.parse(plaintext) as Record<string, string>);
    return { ...view(namespace, secret), data };
  }

  async deleteSecret(namespace: string, name: string): Promise<SuccessStatus> {
    requireNamespace(namespace);
    await this.secrets.deleteSecret(namespace, name);
    this.cache.delete(namespace);
    return successStatus('secrets', name);
  }

  /**
   * One value of an `Opaque` secret, opened server-side (a receiver's shared token); undefined when the
   * secret or the key is missing or the secret is of another type.
   */
  async secretValue(namespace: string, name: string, key: string): Promise<string | undefined> {
    const secret = (await this.secrets.listSecrets(namespace)).find((s) => s.name === name);
    if (!secret || secret.secretType !== opaqueType) return undefined;
    const data = JSON.parse(await this.cipher.open(secret.sealed, `${namespace}/${name}`)) as Record<string, string>;
    const value = data[key];
    return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
  }

  /**
   * The credentials a namespace holds for a registry host, for an import; undefined when it has none. For
   * the integrated registry, the service's own.
   * Another instance's change to the namespace's secrets is seen within `cacheMs`.
   */
  async credentialsFor(namespace: string, host: string): Promise<RegistryCredentials | undefined> {
    const key = registryKey(host);
    // The service's own registry is reached with the service's own credentials, never a namespace's.
    if (this.integrated && isIntegratedHost(this.integrated, host)) return this.integrated.credentials();
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

  /**
   * One value of an Opaque secret, decoded, for server-side use (a signature key's `cosign.pub`); undefined
   * when the namespace has no such secret, it is not Opaque, or it lacks `key`. Read fresh: a key rotation
   * must not wait for the credentials cache.
   */
  async opaqueValue(namespace: string, name: string, key: string): Promise<string | undefined> {
    const secret = (await this.secrets.listSecrets(namespace)).find((s) => s.name === name);
    if (!secret || secret.secretType !== opaqueType) return undefined;
    const data = JSON.parse(await this.cipher.open(secret.sealed, `${namespace}/${secret.name}`)) as Record<
      string,
      string
    >;
    const value = data[key];
    return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
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
  if (!base64RegExp.test(encoded))
    throw new InvalidError('Secret', '', [
      { reason: 'FieldValueInvalid', field: `data[${configKey}]`, message: 'must be base64' },
    ]);
  return Buffer.from(encoded, 'base64').toString('utf8');
}

function opaqueData(
  name: string,
  data: Record<string, string> | undefined,
  stringData: Record<string, string> | undefined,
): Record<string, string> {
  const merged: Record<string, string> = {};
  const causes: FieldCause[] = [];
  for (const [key, value] of Object.entries(data ?? {})) {
    if (!dataKeyRegExp.test(key))
      causes.push({
        reason: 'FieldValueInvalid',
        field: `data[${key}]`,
        message: "a valid key must consist of alphanumeric characters, '-', '_' or '.'",
      });
    else if (!base64RegExp.test(value))
      causes.push({ reason: 'FieldValueInvalid', field: `data[${key}]`, message: 'must be base64' });
    else merged[key] = value;
  }
  for (const [key, value] of Object.entries(stringData ?? {})) {
    if (!dataKeyRegExp.test(key))
      causes.push({
        reason: 'FieldValueInvalid',
        field: `stringData[${key}]`,
        message: "a valid key must consist of alphanumeric characters, '-', '_' or '.'",
      });
    else merged[key] = Buffer.from(value, 'utf8').toString('base64');
  }
  if (causes.length) throw new InvalidError('Secret', name, causes);
  return merged;
}

function view(namespace: string, secret: StoredSecret): SecretView {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: secret.name,
      namespace,
      creationTimestamp: secret.creationTimestamp,
      ...(secret.secretType === dockerConfigType
        ? { annotations: { [registriesAnnotation]: secret.registries.join(',') } }
        : {}),
    },
    type: secret.secretType,
  };
}
