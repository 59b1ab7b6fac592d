import { type FieldCause, InvalidError, NotFoundError, staleObjectError } from '../errors.ts';
import type { ListMetadata } from '../kube/build-table.ts';
import { type ListRequest, takePage, wholeList } from '../kube/list-request.ts';
import { parseOrInvalid } from '../kube/parse-or-invalid.ts';
import type { Clock, ReceiverStore, SecretCipher } from '../ports.ts';
import { type ReceiverInput, receiverSchema } from '../receivers/receiver-schema.ts';
import { type Receiver, type ReceiverRecord, receiverApiVersion, toReceiver } from '../receivers/types.ts';
import { deriveWebhookToken, hooksPrefix, tokenDigest } from '../receivers/webhook-token.ts';
import { normalizeRepository } from '../references/source-repository.ts';
import { checkBodyIdentity, isObjectName, requireNamespace, validateObjectName } from '../streams/names.ts';

export interface ReceiverServiceOptions {
  receivers: ReceiverStore;
  /** Opens one value of a namespace's Opaque secret (RegistryCredentialsService.secretValue). */
  secretValue: (namespace: string, name: string, key: string) => Promise<string | undefined>;
  cipher: SecretCipher;
  clock: Clock;
  newUid: () => string;
}

/** The Secret key a receiver's shared token is read from, as Flux's receivers read it. */
export const receiverTokenKey = 'token';
/** A shared token shorter than this is refused: the webhook path must not be guessable from it. */
const minTokenLength = 16;

/** Where a receiver's sealed token is bound to: its own namespace and name. */
export const receiverTokenContext = (namespace: string, name: string) => `receiver:${namespace}/${name}`;

/**
 * Receivers (imagestreams.dev/v1): which registry may tell the service about pushes, and with what shared
 * secret. Writing one opens the referenced Secret's `token` server-side, derives the webhook path from it
 * and the receiver's identity, and keeps a sealed copy of the token to check deliveries with: a rotated
 * Secret takes effect when the receiver is written again (a new path).
 */
export class ReceiverService {
  private readonly options: ReceiverServiceOptions;

  constructor(options: ReceiverServiceOptions) {
    this.options = options;
  }

  async createReceiver(namespace: string, body: unknown): Promise<Receiver> {
    const input = this.validate(namespace, undefined, body);
    const record = await this.build(namespace, input, {
      uid: this.options.newUid(),
      creationTimestamp: this.options.clock.now().toISOString(),
      version: 1,
    });
    await this.options.receivers.createReceiver(record);
    return toReceiver(record);
  }

  async replaceReceiver(namespace: string, name: string, body: unknown): Promise<Receiver> {
    const input = this.validate(namespace, name, body);
    const current = await this.options.receivers.getReceiver(namespace, name);
    if (!current) throw new NotFoundError('receivers', name);
    const expected = input.metadata.resourceVersion;
    if (expected !== undefined && expected !== String(current.version)) throw staleObjectError('receivers', name);
    const record = await this.build(namespace, input, current);
    const stored = await this.options.receivers.replaceReceiver(record);
    return toReceiver({ ...stored, ...(current.lastDelivery ? { lastDelivery: current.lastDelivery } : {}) });
  }

  async getReceiver(namespace: string, name: string): Promise<Receiver> {
    requireNamespace(namespace);
    const record = await this.options.receivers.getReceiver(namespace, name);
    if (!record) throw new NotFoundError('receivers', name);
    return toReceiver(record);
  }

  async listReceivers(
    namespace: string,
    request: ListRequest = wholeList,
  ): Promise<{
    apiVersion: typeof receiverApiVersion;
    kind: 'ReceiverList';
    metadata: ListMetadata;
    items: Receiver[];
  }> {
    requireNamespace(namespace);
    // A namespace holds a handful of receivers: read whole, paged here.
    const records = (await this.options.receivers.listReceivers(namespace)).filter(
      (r) => request.after === undefined || r.name > request.after,
    );
    const page = await takePage(
      (async function* () {
        yield* records;
      })(),
      request,
      (r) => ({ position: r.name, metadata: { name: r.name, namespace } }),
    );
    return {
      apiVersion: receiverApiVersion,
      kind: 'ReceiverList',
      metadata: page.metadata,
      items: page.items.map(toReceiver),
    };
  }

  async deleteReceiver(namespace: string, name: string) {
    requireNamespace(namespace);
    await this.options.receivers.deleteReceiver(namespace, name);
    return {
      apiVersion: 'v1',
      kind: 'Status',
      metadata: {},
      status: 'Success',
      details: { name, group: 'imagestreams.dev', kind: 'receivers' },
    };
  }

  private validate(namespace: string, urlName: string | undefined, body: unknown): ReceiverInput & { name: string } {
    requireNamespace(namespace);
    const input = parseOrInvalid(receiverSchema, body, 'Receiver', urlName ?? '');
    checkBodyIdentity(input.metadata, namespace, urlName);
    const name = input.metadata.name ?? urlName ?? '';
    const causes: FieldCause[] = validateObjectName(name);
    if (!isObjectName(input.spec.secretRef.name))
      causes.push({ reason: 'FieldValueInvalid', field: 'spec.secretRef.name', message: 'must name a Secret' });
    input.spec.repositories?.forEach((entry, i) => {
      if (!entry.includes('*') && normalizeRepository(entry) === undefined)
        causes.push({
          reason: 'FieldValueInvalid',
          field: `spec.repositories[${i}]`,
          message: 'must be a repository such as quay.io/acme/web, or a pattern with *',
        });
    });
    if (input.spec.type === 'artifactory' && !input.spec.registry)
      causes.push({
        reason: 'FieldValueRequired',
        field: 'spec.registry',
        message:
          'Artifactory names no host in its payloads: give the registry host (and path prefix) images are pulled from',
      });
    if (causes.length) throw new InvalidError('Receiver', name, causes);
    return { ...input, name };
  }

  private async build(
    namespace: string,
    input: ReceiverInput & { name: string },
    identity: Pick<ReceiverRecord, 'uid' | 'creationTimestamp' | 'version'>,
  ): Promise<ReceiverRecord> {
    const { name } = input;
    const secretName = input.spec.secretRef.name;
    const token = await this.options.secretValue(namespace, secretName, receiverTokenKey);
    if (token === undefined || token.length < minTokenLength)
      throw new InvalidError('Receiver', name, [
        {
          reason: token === undefined ? 'FieldValueNotFound' : 'FieldValueInvalid',
          field: 'spec.secretRef.name',
          message:
            token === undefined
              ? `the Opaque Secret "${secretName}" with a "${receiverTokenKey}" key was not found`
              : `the "${receiverTokenKey}" of Secret "${secretName}" must be at least ${minTokenLength} characters`,
        },
      ]);
    const webhookToken = deriveWebhookToken(token, { namespace, name, uid: identity.uid });
    return {
      namespace,
      name,
      ...identity,
      type: input.spec.type,
      secretRef: { name: secretName },
      repositories: (input.spec.repositories ?? []).map((r) =>
        r.includes('*') ? r.toLowerCase() : (normalizeRepository(r) as string),
      ),
      ...(input.spec.registry ? { registry: input.spec.registry.replace(/\/+$/, '').toLowerCase() } : {}),
      suspended: input.spec.suspend ?? false,
      webhookPath: `${hooksPrefix}${webhookToken}`,
      tokenDigest: tokenDigest(webhookToken),
      sealedToken: await this.options.cipher.seal(token, receiverTokenContext(namespace, name)),
    };
  }
}
