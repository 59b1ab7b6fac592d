import type { Principal } from '../access/principal.ts';
import { actorOf } from '../access/principal.ts';
import { AlreadyExistsError, ConflictError, type FieldCause, InvalidError, NotFoundError } from '../errors.ts';
import { ImportFailure } from '../importing/import-failure.ts';
import { type ImageStreamImportInput, imageStreamImportSchema } from '../importing/import-schemas.ts';
import { type NotServed, needsServing, servesLocally } from '../importing/local-reference.ts';
import { type ImportOutcome, recordImport } from '../importing/record-import.ts';
import { parseOrInvalid } from '../kube/parse-or-invalid.ts';
import { mapBounded } from '../map-bounded.ts';
import { policyAnnotation } from '../policy/policy-annotations.ts';
import { parseTagPolicy, type TagPolicy } from '../policy/tag-policy.ts';
import { TagPolicyError } from '../policy/tag-policy-error.ts';
import type { Clock, StreamKey, StreamStore } from '../ports.ts';
import type { ImageServer, RegistryCredentials, RegistryRepository } from '../ports-registry.ts';
import {
  InvalidReferenceError,
  parseDockerImageReference,
  registryHost,
  repositoryName,
  withDefaults,
} from '../references/docker-image-reference.ts';
import {
  type IntegratedRegistry,
  isIntegratedHost,
  streamOfRepository,
  streamRepository,
} from '../references/integrated-registry.ts';
import { parseRegistryReference, registryReference } from '../references/registry-reference.ts';
import { parseVerifyPolicy, publicKeyDataKey, VerifyPolicyError } from '../signatures/verify-policy.ts';
import { isPendingImport } from '../streams/generations.ts';
import { checkBodyIdentity, requireNamespace, validateStreamName, validateTagName } from '../streams/names.ts';
import { emptyStream, toImageStream } from '../streams/objects.ts';
import { prioritizeTags } from '../streams/prioritize-tags.ts';
import { retryOnConflict } from '../streams/retry-on-conflict.ts';
import type { TagReferenceInput } from '../streams/schemas.ts';
import { trackAliases } from '../streams/track-aliases.ts';
import type {
  Image,
  ImageStream,
  ImportMode,
  StreamState,
  TagEventCondition,
  TagRecord,
  TagReference,
} from '../streams/types.ts';
import { imageApiVersion } from '../streams/types.ts';
import { withTagDefaults } from '../streams/validate.ts';
import { timestamp } from '../timestamp.ts';
import type { ImageImporter, ImportedImage } from './image-importer.ts';
import type { RegistryCredentialsService } from './registry-credentials.ts';
import type { SignaturePolicy } from './signature-gate.ts';
import type { SourceImport } from './streams/stream-ports.ts';
import { TagListings } from './tag-listings.ts';
import type { TagWriter } from './tag-writer.ts';

export interface ImportServiceOptions {
  streams: StreamStore;
  writer: TagWriter;
  importer: ImageImporter;
  credentials: Pick<RegistryCredentialsService, 'credentialsFor' | 'opaqueValue'>;
  clock: Clock;
  newUid: () => string;
  historyLimit: number;
  /** The service's own registry, for the stream the answer carries and for serving Local tags. */
  integratedRegistry?: IntegratedRegistry;
  /** Serves Local tags' images through the integrated registry; without it they record the source. */
  server?: ImageServer | undefined;
  /** The deployment's insecure registries (host or host:port): imports from them may use plain HTTP. */
  insecureRegistries: ReadonlySet<string>;
  /** Tags imported from a repository (`--all`); the rest are reported as additional tags. */
  maxBulkImport: number;
  /** Pages of a repository's tag listing a policy tag reads at most; the condition says when it cut the list. */
  maxPolicyTagPages: number;
  /** Imports run at once within one request. */
  concurrency: number;
  /** How long an ImageStreamImport may spend on registries; what is left is reported as timed out. */
  budgetMs: number;
}

/** Images one ImageStreamImport may name. */
const maxImagesPerImport = 100;

/** An image's outcome; the edge adds the HTTP `code` a failure's reason stands for (functions/lib). */
export interface ImportStatus {
  status: {
    metadata: Record<string, never>;
    status: 'Success' | 'Failure';
    reason?: string;
    message?: string;
  };
  image?: Image;
  tag?: string;
  manifests?: Image[];
}

export interface ImageStreamImportResult {
  apiVersion: typeof imageApiVersion;
  kind: 'ImageStreamImport';
  metadata: { name: string; namespace: string };
  spec: ImageStreamImportInput['spec'];
  status: {
    import?: ImageStream;
    images?: ImportStatus[];
    repository?: { status: ImportStatus['status']; images: ImportStatus[]; additionalTags: string[] };
  };
}

export interface TagImportResult {
  status: 'changed' | 'unchanged' | 'failed' | 'skipped';
  /** The registry asked to wait this long (429 Retry-After). */
  retryAfterSeconds?: number;
  /** The digest the registry served for the source, when it answered. */
  served?: string;
}

interface Entry {
  from: string;
  to: string | undefined;
  spec: TagReference;
  /** Whether the request said to schedule the tag; unsaid, the tag keeps what it had. */
  scheduled: boolean | undefined;
}

/** Imports from registries into streams: on tag (`oc tag` of a pull spec) and through ImageStreamImport (`oc import-image`). */
export class ImportService {
  private readonly options: ImportServiceOptions;

  constructor(options: ImportServiceOptions) {
    this.options = options;
  }

  /**
   * Imports tags whose spec waits for an import, a few at a time, all within `budgetMs`. A registry
   * failure is recorded on the tag; running out of time leaves it pending for the scheduled pass.
   */
  async importPendingTags(
    namespace: string,
    stream: string,
    tagNames: string[],
    principal: Principal,
    budgetMs: number,
  ): Promise<void> {
    const signal = AbortSignal.timeout(budgetMs);
    const listings = new TagListings();
    // Out of time: the tags not started stay pending.
    await mapBounded(tagNames, this.options.concurrency, async (tag) => {
      if (!signal.aborted) await this.importPendingTag(namespace, stream, tag, principal, signal, listings);
    });
  }

  /**
   * Imports a spec tag's DockerImage source for a tag write that has not happened yet (`oc tag`), so that
   * the spec and its import land in one write. Stores the image; the tag is the caller's to write.
   * Undefined when the import ran out of time: the tag is then written pending, for the scheduled pass.
   */
  async importSource(
    stream: { namespace: string; name: string },
    spec: TagReference,
    budgetMs: number,
  ): Promise<SourceImport | undefined> {
    if (spec.from?.kind !== 'DockerImage' || spec.reference) return undefined;
    const signal = AbortSignal.timeout(budgetMs);
    try {
      const result = await this.run(stream, spec, true, signal);
      return { outcome: result.outcome, ...(result.imported ? { image: result.imported.image } : {}) };
    } catch (error) {
      if (signal.aborted) return undefined;
      throw error;
    }
  }

  private async importPendingTag(
    namespace: string,
    stream: string,
    tagName: string,
    principal: Principal,
    signal: AbortSignal,
    listings: TagListings,
  ): Promise<void> {
    const state = await this.options.streams.getStream(namespace, stream);
    const tag = state?.tags.find((t) => t.name === tagName);
    if (!state || !tag || !isPendingImport(tag)) return;
    await this.importTag(state.stream, tag, { cause: 'import', actor: actorOf(principal), signal, listings });
  }

  /**
   * Imports one tag from its DockerImage source and records the result: the tag moves only when the
   * digest changed (an unchanged digest costs one HEAD and writes nothing unless the tag had a
   * condition to clear). Running out of time records nothing. Answers whether the tag's image moved.
   */
  async importTag(
    stream: StreamKey,
    tag: TagRecord,
    context: {
      cause: 'import' | 'scheduled-import' | 'push';
      actor: string;
      signal?: AbortSignal | undefined;
      /** Tag listings shared by the policy tags of one pass or request. */
      listings?: TagListings | undefined;
    },
  ): Promise<TagImportResult> {
    const spec = tag.spec;
    if (spec?.from?.kind !== 'DockerImage' || spec.reference) return { status: 'skipped' };
    const pending = isPendingImport(tag);
    const current = pending ? undefined : tag.items[0]?.image;
    let result: Awaited<ReturnType<ImportService['run']>>;
    try {
      result = await this.run(
        stream,
        spec,
        true,
        context.signal,
        {
          image: current,
          reference: pending ? undefined : tag.items[0]?.dockerImageReference,
          conditions: tag.conditions,
        },
        context.listings,
      );
    } catch (error) {
      if (context.signal?.aborted) return { status: 'skipped' };
      throw error;
    }
    const served = result.outcome.ok ? { served: result.outcome.image } : {};
    if (result.unchanged && !pending && tag.conditions.length === 0) return { status: 'unchanged', ...served };
    let answer: TagImportResult['status'] = 'unchanged';
    await retryOnConflict(
      async () => {
        const fresh = await this.options.streams.getStream(stream.namespace, stream.name);
        if (fresh?.stream.uid !== stream.uid) {
          // The tag outlived its stream (a deletion cut short, or a write racing it): remove it, or the scheduler would keep visiting it.
          await this.options.streams.deleteTag(stream, tag).catch(() => undefined);
          return;
        }
        const now = fresh.tags.find((t) => t.name === tag.name);
        // A newer spec supersedes this import: its own import will run.
        if (!fresh || !now?.spec || now.spec.generation !== spec.generation || now.spec.from?.name !== spec.from?.name)
          return;
        const recorded = recordImport(now, now.spec, result.outcome, {
          generation: spec.generation ?? 0,
          now: this.now(),
          actor: context.actor,
          historyLimit: this.options.historyLimit,
        });
        answer = !result.outcome.ok ? 'failed' : recorded.event ? 'changed' : 'unchanged';
        if (recorded.changed) await this.persist(fresh, [recorded.tag], context, tag.name);
        if (!result.outcome.ok && recorded.tag.conditions[0])
          await this.options.writer.importFailed(fresh.stream, recorded.tag, recorded.tag.conditions[0], context.actor);
      },
      { clock: this.options.clock },
    );
    return {
      status: answer,
      ...served,
      ...(result.failure?.retryAfterSeconds !== undefined
        ? { retryAfterSeconds: result.failure.retryAfterSeconds }
        : {}),
    };
  }

  /** POST imagestreamimports: imports images or a repository into a stream, or with `import: false` only looks them up. */
  async createImageStreamImport(
    principal: Principal,
    namespace: string,
    body: unknown,
  ): Promise<ImageStreamImportResult> {
    const input = this.validate(namespace, body);
    const name = input.metadata.name ?? '';
    const existing = await this.options.streams.getStream(namespace, name);
    const resourceVersion = input.metadata.resourceVersion;
    if (resourceVersion !== undefined && !existing) throw new NotFoundError('imagestreams', name);
    if (resourceVersion !== undefined && existing && resourceVersion !== String(existing.stream.version)) {
      throw new ConflictError(
        'imagestreams',
        name,
        `the image stream was updated from "${resourceVersion}" to "${existing.stream.version}"`,
      );
    }

    const entries =
      input.spec.images?.map((image) =>
        withPolicyOf(
          existing,
          this.entryFor(
            image.from.name,
            image.to?.name ?? tagOf(image.from.name),
            image.importPolicy,
            image.referencePolicy,
          ),
        ),
      ) ?? [];
    let repository: { entries: Entry[]; additionalTags: string[]; failure?: ImportFailure } | undefined;
    if (input.spec.repository) repository = await this.repositoryEntries(namespace, input.spec.repository);

    const all = [...entries, ...(repository?.entries ?? [])];
    const outcomes = await this.runAll(
      namespace,
      name,
      all,
      input.spec.import,
      AbortSignal.timeout(this.options.budgetMs),
    );
    const statuses = outcomes.map((o, i) => importStatus(all[i] as Entry, o));
    const result: ImageStreamImportResult = {
      apiVersion: imageApiVersion,
      kind: 'ImageStreamImport',
      metadata: { name, namespace },
      spec: input.spec,
      status: {
        ...(input.spec.images ? { images: statuses.slice(0, entries.length) } : {}),
        ...(repository ? { repository: repositoryStatus(repository, statuses.slice(entries.length)) } : {}),
      },
    };
    if (!input.spec.import) return result;

    const state = existing ?? (await this.createStream(namespace, name));
    const targets = all.map((entry, i) => ({ entry, outcome: outcomes[i] })).filter((t) => t.entry.to !== undefined);
    if (targets.length) {
      const generation = await this.options.streams.nextGeneration(state.stream);
      let written: { stream: StreamState['stream']; failed: TagRecord[] } | undefined;
      await retryOnConflict(
        async () => {
          const current = (await this.options.streams.getStream(namespace, name)) ?? state;
          const recorded = targets.map(({ entry, outcome }) => {
            const old = current.tags.find((t) => t.name === entry.to);
            const scheduled = entry.scheduled ?? old?.spec?.importPolicy?.scheduled;
            const spec: TagReference = {
              ...entry.spec,
              name: entry.to as string,
              generation,
              importPolicy: { ...entry.spec.importPolicy, ...(scheduled ? { scheduled: true } : {}) },
              ...(old?.spec?.annotations ? { annotations: old.spec.annotations } : {}),
              referencePolicy: old?.spec?.referencePolicy ?? entry.spec.referencePolicy ?? { type: 'Source' },
            };
            const base = old ? { ...old, spec } : undefined;
            return recordImport(base, spec, (outcome as { outcome: ImportOutcome }).outcome, {
              generation,
              now: this.now(),
              actor: actorOf(principal),
              historyLimit: this.options.historyLimit,
            }).tag;
          });
          await this.persist(current, recorded, { cause: 'import', actor: actorOf(principal) });
          const failed = recorded.filter((tag) =>
            tag.conditions.some((c) => c.type === 'ImportSuccess' && c.status === 'False'),
          );
          written = { stream: current.stream, failed };
        },
        { clock: this.options.clock },
      );
      // As an import on tag or a scheduled one does, a failure here is announced for alerting.
      for (const tag of written?.failed ?? []) {
        const condition = tag.conditions[0];
        if (written && condition)
          await this.options.writer.importFailed(written.stream, tag, condition, actorOf(principal));
      }
    }
    const stored = await this.options.streams.getStream(namespace, name);
    return {
      ...result,
      status: {
        ...result.status,
        ...(stored
          ? {
              import: toImageStream(
                this.withAliases(stored),
                streamRepository(this.options.integratedRegistry, namespace, name),
              ),
            }
          : {}),
      },
    };
  }

  // --- helpers -------------------------------------------------------------------------------

  private now(): string {
    return timestamp(this.options.clock.now());
  }

  private withAliases(state: StreamState): StreamState {
    return {
      ...state,
      tags: trackAliases(state.tags, state.stream.namespace, state.stream.name, this.options.historyLimit).tags,
    };
  }

  /** Writes recorded tags and the aliases that follow them. */
  private async persist(
    state: StreamState,
    recorded: TagRecord[],
    context: { cause: 'import' | 'scheduled-import' | 'push'; actor: string },
    primary?: string,
  ): Promise<void> {
    const names = new Set(recorded.map((t) => t.name));
    const merged = [...state.tags.filter((t) => !names.has(t.name)), ...recorded];
    const tracked = trackAliases(merged, state.stream.namespace, state.stream.name, this.options.historyLimit);
    await this.options.writer.write(state.stream, state.tags, tracked.tags, {
      primary,
      cause: context.cause,
      actor: context.actor,
    });
  }

  private async createStream(namespace: string, name: string): Promise<StreamState> {
    const stream = emptyStream(namespace, name, this.options.newUid(), this.now());
    try {
      await this.options.streams.createStream(stream);
      return { stream, tags: [] };
    } catch (error) {
      const raced =
        error instanceof AlreadyExistsError ? await this.options.streams.getStream(namespace, name) : undefined;
      if (!raced) throw error;
      return raced;
    }
  }

  private entryFor(
    from: string,
    to: string | undefined,
    importPolicy: TagReferenceInput['importPolicy'],
    referencePolicy: TagReferenceInput['referencePolicy'],
  ): Entry {
    const spec = withTagDefaults({
      name: to ?? '',
      from: { kind: 'DockerImage', name: from },
      importPolicy: importPolicy ?? {},
      ...(referencePolicy ? { referencePolicy } : {}),
    });
    return { from, to, spec, scheduled: importPolicy?.scheduled ?? undefined };
  }

  private async repositoryEntries(
    namespace: string,
    repository: NonNullable<ImageStreamImportInput['spec']['repository']>,
  ): Promise<{ entries: Entry[]; additionalTags: string[]; failure?: ImportFailure }> {
    const ref = parseDockerImageReference(repository.from.name);
    const normal = withDefaults({ ...ref, tag: 'latest' });
    const host = registryHost(normal);
    try {
      this.checkIntegratedSource(namespace, registryReference(normal));
      const credentials = await this.options.credentials.credentialsFor(namespace, host);
      const insecure = Boolean(repository.importPolicy?.insecure) || this.isInsecure(host, ref.registry);
      const tags = await this.options.importer.listTags(
        repository.from.name,
        insecure,
        credentials,
        this.options.maxBulkImport * 20 + 1000,
      );
      const ordered = prioritizeTags(new Set(tags.map((t) => t || 'latest')));
      const chosen = ordered.slice(0, this.options.maxBulkImport);
      return {
        entries: chosen.map((tag) =>
          this.entryFor(`${repositoryName(ref)}:${tag}`, tag, repository.importPolicy, repository.referencePolicy),
        ),
        additionalTags: ordered.slice(this.options.maxBulkImport),
      };
    } catch (error) {
      const failure =
        error instanceof ImportFailure
          ? error
          : new ImportFailure(
              'InternalError',
              `Internal error occurred: ${repository.from.name}: ${(error as Error).message}`,
            );
      return { entries: [], additionalTags: [], failure };
    }
  }

  private isInsecure(host: string, spelled: string): boolean {
    return this.options.insecureRegistries.has(host) || this.options.insecureRegistries.has(spelled);
  }

  /**
   * One import: credentials of the namespace for the registry, insecure when the tag or the deployment says
   * so. A recorded import of a Local tag is then served through the integrated registry.
   */
  private async run(
    stream: { namespace: string; name: string },
    spec: TagReference,
    record: boolean,
    signal?: AbortSignal,
    current?: {
      image?: string | undefined;
      reference?: string | undefined;
      conditions?: readonly TagEventCondition[];
    },
    listings: TagListings = new TagListings(),
  ): Promise<{ outcome: ImportOutcome; imported?: ImportedImage; failure?: ImportFailure; unchanged?: boolean }> {
    const namespace = stream.namespace;
    const from = spec.from?.name ?? '';
    try {
      const ref = parseDockerImageReference(from);
      const host = registryHost(withDefaults(ref));
      this.checkIntegratedSource(namespace, registryReference(ref));
      const credentials = await this.options.credentials.credentialsFor(namespace, host);
      const importSpec = {
        from,
        importMode: (spec.importPolicy?.importMode || 'PreserveOriginal') as ImportMode,
        preferArch: spec.annotations?.['importer.image.openshift.io/prefer-arch'],
        preferOs: spec.annotations?.['importer.image.openshift.io/prefer-os'],
        insecure: Boolean(spec.importPolicy?.insecure) || this.isInsecure(host, ref.registry),
        ...(current?.image ? { current: current.image } : {}),
        ...(await this.signaturePolicy(namespace, spec)),
      };
      const policy = ref.tag || ref.id ? undefined : policyOf(spec);
      const imported = policy
        ? await this.options.importer.importByPolicy(importSpec, policy, {
            credentials,
            listings,
            maxPages: this.options.maxPolicyTagPages,
            currentReference: current?.reference,
            signal,
            record,
          })
        : await this.options.importer.import(importSpec, credentials, signal, record);
      const served = record
        ? await this.served(stream, spec, imported, { insecure: importSpec.insecure, credentials, signal }, current)
        : undefined;
      const reference = served?.reference ?? imported.dockerImageReference;
      return {
        outcome: {
          ok: true,
          image: imported.digest,
          dockerImageReference: reference,
          ...(imported.signedBy ? { signedBy: imported.signedBy } : {}),
          ...(served?.notServed ? { notServed: served.notServed } : {}),
        },
        imported,
        unchanged: imported.unchanged && (served === undefined || reference === current?.reference),
      };
    } catch (error) {
      if (signal?.aborted) throw error;
      const failure =
        error instanceof ImportFailure
          ? error
          : new ImportFailure('InternalError', `Internal error occurred: ${from}: ${(error as Error).message}`);
      return {
        outcome: { ok: false, reason: failure.importReason, message: failure.message, transient: failure.transient },
        failure,
      };
    }
  }

  /**
   * A Local tag's image served through the integrated registry: the reference to record, or the source's
   * with why it is not served; the current reference when it already serves this image. Undefined when the
   * tag is not Local or the deployment has no registry.
   */
  private async served(
    stream: { namespace: string; name: string },
    spec: TagReference,
    imported: ImportedImage,
    access: { insecure: boolean; credentials: RegistryCredentials | undefined; signal: AbortSignal | undefined },
    current: { reference?: string | undefined; conditions?: readonly TagEventCondition[] } | undefined,
  ): Promise<{ reference?: string; notServed?: NotServed } | undefined> {
    const registry = this.options.integratedRegistry;
    if (!registry || !servesLocally(spec, registry)) return undefined;
    const known = { reference: current?.reference, unchanged: Boolean(imported.unchanged) };
    if (!needsServing(registry, { ...known, conditions: current?.conditions ?? [] }))
      return { reference: current?.reference as string };
    if (!this.options.server)
      return {
        notServed: {
          reason: 'NotConfigured',
          message: 'this deployment cannot serve images through its integrated registry',
          transient: false,
        },
      };
    const result = await this.options.server.serve({
      namespace: stream.namespace,
      stream: stream.name,
      source: parseRegistryReference(imported.dockerImageReference),
      digest: imported.digest,
      access,
    });
    return result.ok
      ? { reference: result.dockerImageReference }
      : { notServed: { reason: result.reason, message: result.message, transient: result.transient } };
  }

  /**
   * The service reaches its own registry with credentials for every stream's repository, so a DockerImage
   * source there must be a repository of the importing namespace: another namespace's images are tagged
   * with kind ImageStreamTag, which checks the tagger's access in that namespace.
   */
  private checkIntegratedSource(namespace: string, source: RegistryRepository): void {
    const registry = this.options.integratedRegistry;
    if (!registry || !isIntegratedHost(registry, source.host)) return;
    if (streamOfRepository(registry, source.repository)?.namespace === namespace) return;
    throw new ImportFailure(
      'Forbidden',
      `${source.host}/${source.repository} is not the repository of an image stream in namespace ${namespace}; tag another namespace's image with kind ImageStreamTag`,
      { transient: false },
    );
  }

  /** The tag's imagestreams.dev/verify policy with its key read from the namespace's Secret. */
  async signaturePolicy(namespace: string, spec: TagReference): Promise<{ verify?: SignaturePolicy }> {
    let policy: ReturnType<typeof parseVerifyPolicy>;
    try {
      policy = parseVerifyPolicy(spec.annotations);
    } catch (error) {
      if (error instanceof VerifyPolicyError)
        throw new ImportFailure('BadRequest', error.message, { transient: false });
      throw error;
    }
    if (!policy) return {};
    if (policy.mode === 'keyless') return { verify: policy };
    const pem = await this.options.credentials.opaqueValue(namespace, policy.secret, publicKeyDataKey);
    if (pem === undefined)
      throw new ImportFailure(
        'SignatureInvalid',
        `the verification key secret/${policy.secret} does not exist in namespace ${namespace} or has no ${publicKeyDataKey} (an Opaque Secret is expected)`,
        { transient: false },
      );
    return { verify: { ...policy, publicKeyPem: pem } };
  }

  private async runAll(
    namespace: string,
    name: string,
    entries: Entry[],
    record: boolean,
    signal: AbortSignal,
  ): Promise<{ outcome: ImportOutcome; imported?: ImportedImage; failure?: ImportFailure }[]> {
    const timedOut = {
      outcome: {
        ok: false as const,
        reason: 'Timeout' as const,
        message: 'the import ran out of time; import this image again',
        transient: true,
      },
    };
    const listings = new TagListings();
    // A failed or timed-out entry is reported as such and the others go on: no task rejects.
    return mapBounded(entries, this.options.concurrency, async (entry) =>
      signal.aborted
        ? timedOut
        : this.run({ namespace, name }, entry.spec, record, signal, undefined, listings).catch(() => timedOut),
    );
  }

  private validate(namespace: string, body: unknown): ImageStreamImportInput {
    requireNamespace(namespace);
    const input = parseOrInvalid(imageStreamImportSchema, body, 'ImageStreamImport', '');
    checkBodyIdentity(input.metadata, namespace);
    const name = input.metadata.name ?? '';
    const causes: FieldCause[] = [...validateStreamName(name, namespace)];
    input.spec.images?.forEach((image, i) => {
      const field = `spec.images[${i}]`;
      parseReference(image.from.name, `${field}.from.name`, causes);
      if (image.to) causes.push(...validateTagName(image.to.name, `${field}.to.name`));
    });
    if (input.spec.repository) {
      const ref = parseReference(input.spec.repository.from.name, 'spec.repository.from.name', causes);
      if (ref && (ref.tag || ref.id))
        causes.push({
          reason: 'FieldValueInvalid',
          field: 'spec.repository.from.name',
          message: 'you must specify an image repository, not a tag or ID',
        });
    }
    if ((input.spec.images?.length ?? 0) > maxImagesPerImport) {
      causes.push({
        reason: 'FieldValueTooLong',
        field: 'spec.images',
        message: `must name at most ${maxImagesPerImport} images`,
      });
    }
    if (!input.spec.images?.length && !input.spec.repository) {
      causes.push({
        reason: 'FieldValueRequired',
        field: 'spec',
        message: 'you must specify at least one image or a repository import',
      });
    }
    if (causes.length) throw new InvalidError('ImageStreamImport', name, causes);
    return input;
  }
}

function parseReference(name: string, field: string, causes: FieldCause[]) {
  try {
    return parseDockerImageReference(name);
  } catch (error) {
    if (!(error instanceof InvalidReferenceError)) throw error;
    causes.push({ reason: 'FieldValueInvalid', field, message: error.message });
    return undefined;
  }
}

function tagOf(from: string): string | undefined {
  try {
    return parseDockerImageReference(from).tag || undefined;
  } catch {
    return undefined;
  }
}

function importStatus(entry: Entry, result: { outcome: ImportOutcome; imported?: ImportedImage }): ImportStatus {
  const { outcome } = result;
  if (!outcome.ok) {
    return {
      status: {
        metadata: {},
        status: 'Failure',
        reason: outcome.reason,
        message: outcome.message,
      },
      ...(entry.to ? { tag: entry.to } : {}),
    };
  }
  return {
    status: { metadata: {}, status: 'Success' },
    ...(result.imported ? { image: result.imported.image } : {}),
    ...(entry.to ? { tag: entry.to } : {}),
    ...(result.imported?.manifests.length ? { manifests: result.imported.manifests } : {}),
  };
}

function repositoryStatus(repository: { additionalTags: string[]; failure?: ImportFailure }, images: ImportStatus[]) {
  const failed = images.filter((i) => i.status.status === 'Failure').length;
  const status: ImportStatus['status'] = repository.failure
    ? {
        metadata: {},
        status: 'Failure',
        reason: repository.failure.importReason,
        message: repository.failure.message,
      }
    : failed
      ? {
          metadata: {},
          status: 'Failure',
          reason: 'ImportFailed',
          message:
            failed === 1
              ? 'one of the images from this repository failed to import'
              : `${failed} of the images from this repository failed to import`,
        }
      : { metadata: {}, status: 'Success' };
  return { status, images, additionalTags: repository.additionalTags };
}

/** A spec tag's policy; one stored before validation knew it, and now refused, fails the import as a bad request. */
function policyOf(spec: TagReference): TagPolicy | undefined {
  try {
    return parseTagPolicy(spec.annotations);
  } catch (error) {
    if (error instanceof TagPolicyError) throw new ImportFailure('BadRequest', error.message, { transient: false });
    throw error;
  }
}

/**
 * `oc import-image stream:tag` of a policy tag names the tag's repository: the import then evaluates
 * the tag's policy, as the scheduled pass would, instead of importing the repository's `latest`.
 */
function withPolicyOf(existing: StreamState | undefined, entry: Entry): Entry {
  const old = existing?.tags.find((t) => t.name === entry.to)?.spec;
  // The tag keeps its reference policy (as recorded below), so the import serves it as that policy says.
  const kept = old?.referencePolicy
    ? { ...entry, spec: { ...entry.spec, referencePolicy: old.referencePolicy } }
    : entry;
  const annotations = old?.annotations;
  if (annotations?.[policyAnnotation] === undefined) return kept;
  return { ...kept, spec: { ...kept.spec, annotations } };
}
