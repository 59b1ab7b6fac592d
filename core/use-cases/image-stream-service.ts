import type { AccessRequest } from '../access/authorize.ts';
import { actorOf, type Principal } from '../access/principal.ts';
import { describeImage } from '../describe/describe-image.ts';
import { describeImageStream } from '../describe/describe-image-stream.ts';
import {
  AlreadyExistsError,
  BadRequestError,
  type FieldCause,
  InvalidError,
  NotFoundError,
  StaleObjectError,
  staleObjectError,
} from '../errors.ts';
import type { ListMetadata } from '../kube/build-table.ts';
import { type ListRequest, takePage, wholeList } from '../kube/list-request.ts';
import type { Clock, ImageStore, StreamStore } from '../ports.ts';
import { applySpecTag } from '../streams/apply-spec-tag.ts';
import { findImageInHistory, matchesImageId } from '../streams/find-image.ts';
import { isPendingImport, isSpecChange, observedGeneration } from '../streams/generations.ts';
import {
  checkBodyIdentity,
  requireNamespace,
  splitStreamImage,
  splitStreamTag,
  validateStreamName,
  validateTagName,
} from '../streams/names.ts';
import { emptyStream, toImageStream, toImageStreamImage, toImageStreamTag } from '../streams/objects.ts';
import { retryOnConflict } from '../streams/retry-on-conflict.ts';
import { imageStreamSchema, imageStreamTagSchema, parseBody } from '../streams/schemas.ts';
import { streamSourceOf } from '../streams/source-references.ts';
import { trackAliases } from '../streams/track-aliases.ts';
import type {
  ImageStream,
  ImageStreamImage,
  ImageStreamTag,
  StreamRecord,
  StreamState,
  TagEvent,
  TagRecord,
  TagReference,
} from '../streams/types.ts';
import { imageApiVersion } from '../streams/types.ts';
import { validateImageStream, validateLabels, validateTagReference, withTagDefaults } from '../streams/validate.ts';
import { timestamp } from '../timestamp.ts';
import type { TagWriter } from './tag-writer.ts';

export interface ImageStreamServiceOptions {
  streams: StreamStore;
  images: ImageStore;
  /** The access policy, for reading a source in another namespace. */
  authorize: (principal: Principal, request: AccessRequest) => Promise<unknown>;
  writer: TagWriter;
  clock: Clock;
  newUid: () => string;
  /** History entries kept per tag. */
  historyLimit: number;
  /** Imports tags that wait for an import, within the request when the registry answers in time. */
  importPending?: (namespace: string, stream: string, tags: string[], principal: Principal) => Promise<void>;
  /** Told about history entries that the limit pushed out, so that nothing disappears silently. */
  onHistoryTrimmed?: (info: { namespace: string; stream: string; dropped: TagEvent[] }) => void;
}

export interface List<T> {
  apiVersion: string;
  kind: string;
  metadata: ListMetadata;
  items: T[];
}

/** The image stream use cases behind the HTTPS API: OpenShift's semantics over the store port. */
export class ImageStreamService {
  private readonly streams: StreamStore;
  private readonly images: ImageStore;
  private readonly clock: Clock;
  private readonly options: ImageStreamServiceOptions;

  constructor(options: ImageStreamServiceOptions) {
    this.streams = options.streams;
    this.images = options.images;
    this.clock = options.clock;
    this.options = options;
  }

  /** POST imagestreams: creates a stream and records what its spec tags point at. */
  async createImageStream(principal: Principal, namespace: string, body: unknown): Promise<ImageStream> {
    requireNamespace(namespace);
    const input = parsed(imageStreamSchema, body, 'ImageStream', '');
    checkBodyIdentity(input.metadata, namespace);
    const write = validateImageStream(input, namespace);
    const now = this.now();
    const stream: StreamRecord = {
      namespace,
      name: write.name,
      uid: this.options.newUid(),
      creationTimestamp: now,
      labels: write.labels,
      annotations: write.annotations,
      lookupLocal: write.lookupLocal,
      dockerImageRepository: write.dockerImageRepository,
      generation: 1,
      version: 1,
    };
    const sources = await this.loadSources(principal, stream, write.tags);
    const planned = this.planSpecTags(principal, { stream, tags: [] }, write.tags, 1, sources);
    await this.streams.createStream(stream);
    const actor = actorOf(principal);
    const tags = (
      await Promise.all(
        planned.tags.map((tag) =>
          this.options.writer.write(stream, [], [tag], { cause: causeOf(stream, tag.spec), actor }),
        ),
      )
    ).flat();
    this.reportTrimmed(stream, planned.dropped);
    if (await this.importPendingTags(principal, { stream, tags })) return this.getImageStream(namespace, stream.name);
    return toImageStream({ stream, tags });
  }

  /** GET imagestreams/{name} */
  async getImageStream(namespace: string, name: string): Promise<ImageStream> {
    return toImageStream(await this.load(namespace, name));
  }

  /** GET imagestreams: a page of whole streams (a stream's tags are items of its own in the store). */
  async listImageStreams(namespace: string, request: ListRequest = wholeList): Promise<List<ImageStream>> {
    requireNamespace(namespace);
    const after = request.after === undefined ? undefined : { after: request.after };
    const page = await takePage(
      this.streams.streamsFrom(namespace, after, itemsToRead(request)),
      request,
      ({ stream }) => ({ position: stream.name, metadata: { name: stream.name, namespace, labels: stream.labels } }),
    );
    return list(
      'ImageStreamList',
      page.items.map((s) => toImageStream(this.withAliases(s))),
      page.metadata,
    );
  }

  /** PUT imagestreams/{name}: replaces metadata and spec; status is the server's and is ignored. */
  async replaceImageStream(principal: Principal, namespace: string, name: string, body: unknown): Promise<ImageStream> {
    requireStream(namespace, name);
    const input = parsed(imageStreamSchema, body, 'ImageStream', name);
    checkBodyIdentity(input.metadata, namespace, name);
    const write = validateImageStream({ ...input, metadata: { ...input.metadata, name } }, namespace);
    const replace = async () => {
      const state = await this.load(namespace, name);
      if (write.resourceVersion !== undefined && write.resourceVersion !== String(state.stream.version)) {
        throw staleObjectError('imagestreams', name);
      }
      const desired = new Map(write.tags.map((t) => [t.name, t]));
      const specChanged =
        state.stream.lookupLocal !== write.lookupLocal ||
        state.stream.dockerImageRepository !== write.dockerImageRepository ||
        state.tags.some((t) => t.spec && !desired.has(t.name)) ||
        write.tags.some((t) => isSpecChange(state.tags.find((old) => old.name === t.name)?.spec, t));
      const sources = await this.loadSources(principal, state.stream, write.tags);
      this.planSpecTags(principal, state, write.tags, state.stream.generation + 1, sources);
      const stream = await this.streams.updateStream(
        {
          ...state.stream,
          labels: write.labels,
          annotations: write.annotations,
          lookupLocal: write.lookupLocal,
          dockerImageRepository: write.dockerImageRepository,
          generation: state.stream.generation + (specChanged ? 1 : 0),
        },
        state.stream.version,
      );
      await retryOnConflict(
        async () => {
          const current = await this.load(namespace, name);
          const next = this.planSpecTags(principal, { ...current, stream }, write.tags, stream.generation, sources);
          const withoutRemoved = next.tags.map((t) => (t.spec && !desired.has(t.name) ? { ...t, spec: null } : t));
          await this.options.writer.write(stream, current.tags, withoutRemoved, {
            cause: 'tag',
            actor: actorOf(principal),
          });
          this.reportTrimmed(stream, next.dropped);
        },
        { clock: this.clock },
      );
      return stream;
    };
    const stream = await retryOnConflict(replace, { clock: this.clock, resourceVersion: write.resourceVersion });
    const state = { ...(await this.load(namespace, name)), stream };
    if (await this.importPendingTags(principal, state)) return this.getImageStream(namespace, name);
    return toImageStream(state);
  }

  /** DELETE imagestreams/{name}: the stream and every tag's history; image metadata stays. */
  async deleteImageStream(namespace: string, name: string): Promise<Status> {
    const state = await this.load(namespace, name);
    await this.streams.deleteStream(state.stream);
    return successStatus('imagestreams', name);
  }

  /** GET imagestreams/{name}/describe: `oc describe is`. */
  async describeImageStream(namespace: string, name: string): Promise<string> {
    return describeImageStream(await this.load(namespace, name), this.clock.now());
  }

  /** GET imagestreamtags/{name}:{tag} */
  async getImageStreamTag(namespace: string, istag: string): Promise<ImageStreamTag> {
    const { stream, tag } = requireStreamTag(namespace, istag);
    const state = await this.load(namespace, stream);
    const record = state.tags.find((t) => t.name === tag);
    const head = record?.items[0];
    if (!record || !head?.image) throw new NotFoundError('imagestreamtags', istag);
    return toImageStreamTag(state.stream, record, await this.images.getImage(head.image));
  }

  /** GET imagestreamtags/{name}:{tag}/describe: `oc describe istag`. */
  async describeImageStreamTag(namespace: string, istag: string): Promise<string> {
    const tag = await this.getImageStreamTag(namespace, istag);
    return describeImage(tag.image, tag.metadata.creationTimestamp, this.clock.now());
  }

  /**
   * GET imagestreamtags: one entry per tag that has an image; entries name the image only. A page may end
   * inside a stream: the next one reads that stream again (aliases resolve within the whole stream) and
   * goes on after the tag the page ended with.
   */
  async listImageStreamTags(namespace: string, request: ListRequest = wholeList): Promise<List<ImageStreamTag>> {
    requireNamespace(namespace);
    const page = await takePage(
      this.imageStreamTagsFrom(namespace, request.after === undefined ? undefined : splitStreamTag(request.after), {
        pageSize: itemsToRead(request),
      }),
      request,
      ({ istag, labels }) => ({ position: istag.metadata.name, metadata: { ...istag.metadata, labels } }),
    );
    return list(
      'ImageStreamTagList',
      page.items.map((entry) => entry.istag),
      page.metadata,
    );
  }

  private async *imageStreamTagsFrom(
    namespace: string,
    start: { stream: string; tag: string } | undefined,
    options: { pageSize: number | undefined },
  ): AsyncIterable<{ istag: ImageStreamTag; labels: Record<string, string> }> {
    const at = start === undefined ? undefined : { at: start.stream };
    for await (const raw of this.streams.streamsFrom(namespace, at, options.pageSize)) {
      const state = this.withAliases(raw);
      const resumed = start !== undefined && raw.stream.name === start.stream;
      const tags = [...state.tags]
        .sort((a, b) => (a.name < b.name ? -1 : 1))
        .filter((t) => t.items[0]?.image && !(resumed && t.name <= start.tag));
      for (const t of tags) {
        const istag = toImageStreamTag(state.stream, t, undefined);
        yield {
          istag: {
            ...istag,
            image: {
              metadata: { name: istag.image.metadata.name },
              dockerImageReference: istag.image.dockerImageReference,
            },
          },
          labels: state.stream.labels,
        };
      }
    }
  }

  /** PUT imagestreamtags/{name}:{tag}: `oc tag`. Creates the stream when missing; returns the tag, whose image may still be pending. */
  async putImageStreamTag(
    principal: Principal,
    namespace: string,
    istag: string,
    body: unknown,
  ): Promise<ImageStreamTag> {
    const { stream: streamName, tag: tagName } = requireStreamTag(namespace, istag);
    const input = parsed(imageStreamTagSchema, body, 'ImageStreamTag', istag);
    const metadata = input.metadata ?? {};
    checkBodyIdentity(metadata, namespace, istag);
    const causes: FieldCause[] = validateLabels(metadata.annotations, 'metadata.annotations', 'annotations');
    if (input.tag) {
      if (input.tag.name !== '' && input.tag.name !== tagName)
        causes.push({ reason: 'FieldValueInvalid', field: 'tag.name', message: 'must match image tag name' });
      causes.push(...validateTagReference({ ...input.tag, name: tagName }, 'tag', namespace, streamName));
    }
    if (causes.length) throw new InvalidError('ImageStreamTag', istag, causes);

    // A generation taken by an earlier try, reused while it is still newer than the tag: taking one is a
    // write of the stream's item, which every writer of the stream queues on.
    let taken: number | undefined;
    const put = async () => {
      for (let fresh = false; ; fresh = true) {
        const existing = await this.streams.getStream(namespace, streamName);
        const state = existing
          ? this.withAliases(existing)
          : { stream: emptyStream(namespace, streamName, this.options.newUid(), this.now()), tags: [] };
        const old = state.tags.find((t) => t.name === tagName);
        if (metadata.resourceVersion !== undefined && metadata.resourceVersion !== String(old?.version ?? 0)) {
          throw staleObjectError('imagestreamtags', istag);
        }
        const spec = this.specFromRequest(input.tag, metadata.annotations, old, istag);
        const sources = await this.loadSources(principal, state.stream, [spec]);
        const changed = isSpecChange(old?.spec, spec);
        // Plan once before anything is written, so that a refused source changes nothing.
        if (changed) this.planSpecTags(principal, state, [spec], state.stream.generation + 1, sources);
        if (!existing) await this.createStreamForTag(state.stream);
        if (changed && (taken === undefined || taken <= generationOf(old))) {
          // The tag moved past the generation taken after the last read: another writer landed in between.
          if (fresh) throw staleObjectError('imagestreamtags', istag);
          taken = await this.streams.nextGeneration(state.stream);
          // Read again, so that the window a concurrent write can win in is this read to the conditional write.
          continue;
        }
        const generation = changed ? (taken as number) : state.stream.generation;
        const next = this.planSpecTags(principal, state, [spec], generation, sources);
        const stored = await this.options.writer.write(state.stream, state.tags, next.tags, {
          primary: tagName,
          cause: causeOf(state.stream, spec),
          actor: actorOf(principal),
        });
        this.reportTrimmed(state.stream, next.dropped);
        const record =
          stored.find((t) => t.name === tagName) ?? (next.tags.find((t) => t.name === tagName) as TagRecord);
        return { stream: state.stream, record };
      }
    };
    const written = await retryOnConflict(put, { clock: this.clock, resourceVersion: metadata.resourceVersion });
    const { stream } = written;
    let { record } = written;
    if (this.options.importPending && isPendingImport(record)) {
      await this.options.importPending(namespace, streamName, [tagName], principal);
      record = (await this.streams.getStream(namespace, streamName))?.tags.find((t) => t.name === tagName) ?? record;
    }
    const head = record.items[0];
    return toImageStreamTag(stream, record, head?.image ? await this.images.getImage(head.image) : undefined);
  }

  /** DELETE imagestreamtags/{name}:{tag}: removes the spec entry and the history (`oc tag -d`). */
  async deleteImageStreamTag(namespace: string, istag: string): Promise<Status> {
    const { stream, tag } = requireStreamTag(namespace, istag);
    await retryOnConflict(
      async () => {
        const state = await this.load(namespace, stream);
        const record = state.tags.find((t) => t.name === tag);
        if (!record) throw new NotFoundError('imagestreamtags', istag);
        await this.streams.deleteTag(state.stream, record);
      },
      { clock: this.clock },
    );
    return successStatus('imagestreamtags', istag);
  }

  /** GET imagestreamimages/{name}@{id}: an image of the stream's history, by digest or a prefix of it. */
  async getImageStreamImage(namespace: string, isimage: string): Promise<ImageStreamImage> {
    requireNamespace(namespace);
    const parts = splitStreamImage(isimage);
    if (!parts) throw new BadRequestError('ImageStreamImages must be retrieved with <name>@<id>');
    requireStream(namespace, parts.stream);
    const state = await this.load(namespace, parts.stream);
    try {
      const event = findImageInHistory(state.tags, parts.id, parts.stream);
      return toImageStreamImage(state.stream, event, await this.images.getImage(event.image));
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      // A platform image of a manifest list in the history is part of the stream too (reference §1.5).
      const child = await this.findPlatformImage(state, parts.id);
      if (!child) throw error;
      return child;
    }
  }

  /** Looks for `id` among the platform images of the manifest lists in a stream's history. */
  private async findPlatformImage(state: StreamState, id: string): Promise<ImageStreamImage | undefined> {
    const lists = new Map(
      state.tags
        .flatMap((t) => t.items)
        .filter((i) => i.image)
        .map((i) => [i.image, i]),
    );
    for (const [digest, event] of lists) {
      const list = await this.images.getImage(digest);
      const child = list?.dockerImageManifests?.find((m) => matchesImageId(m.digest, id));
      if (!child) continue;
      const pullSpec = event.dockerImageReference.replace(/@[^@]+$/, `@${child.digest}`);
      return toImageStreamImage(
        state.stream,
        { ...event, image: child.digest, dockerImageReference: pullSpec },
        await this.images.getImage(child.digest),
      );
    }
    return undefined;
  }

  // --- helpers -------------------------------------------------------------------------------

  private now(): string {
    return timestamp(this.clock.now());
  }

  /** Reads a stream with its aliases brought in step, so a reader never sees an alias behind its target. */
  private async load(namespace: string, name: string): Promise<StreamState> {
    requireStream(namespace, name);
    const state = await this.streams.getStream(namespace, name);
    if (!state) throw new NotFoundError('imagestreams', name);
    return this.withAliases(state);
  }

  private withAliases(state: StreamState): StreamState {
    const tracked = trackAliases(state.tags, state.stream.namespace, state.stream.name, this.options.historyLimit);
    return tracked.changed.length ? { ...state, tags: tracked.tags } : state;
  }

  /** Stores a stream created by a tag write; a concurrent creation is a lost race, so the write re-reads and retries. */
  private async createStreamForTag(stream: StreamRecord): Promise<void> {
    try {
      await this.streams.createStream(stream);
    } catch (error) {
      if (error instanceof AlreadyExistsError)
        throw new StaleObjectError('imagestreams', stream.name, { cause: error });
      throw error;
    }
  }

  /**
   * The spec tag an istag PUT asks for. Annotations come from metadata, else from the tag, else stay
   * as they were: unlike OpenShift, a PUT that does not mention annotations keeps them.
   */
  private specFromRequest(
    tag: Parameters<typeof withTagDefaults>[0] | null | undefined,
    annotations: Record<string, string> | null | undefined,
    old: TagRecord | undefined,
    istag: string,
  ): TagReference {
    const base = tag ? withTagDefaults({ ...tag, name: old?.name ?? istag.split(':')[1] ?? '' }) : old?.spec;
    if (!base)
      throw new BadRequestError(
        `imagestreamtag "${istag}" is not a spec tag and the request has no "tag" to create it`,
      );
    const kept = annotations ?? tag?.annotations ?? old?.spec?.annotations ?? null;
    const spec: TagReference = { ...base };
    if (kept && Object.keys(kept).length) spec.annotations = kept;
    else delete spec.annotations;
    return spec;
  }

  /** Imports the stream's pending tags; true when there were any. */
  private async importPendingTags(principal: Principal, state: StreamState): Promise<boolean> {
    const pending = state.tags.filter(isPendingImport).map((t) => t.name);
    if (!this.options.importPending || pending.length === 0) return false;
    await this.options.importPending(state.stream.namespace, state.stream.name, pending, principal);
    return true;
  }

  /** Reads the other streams that spec tags copy from; reading across namespaces needs access there. */
  private async loadSources(
    principal: Principal,
    stream: StreamRecord,
    specs: TagReference[],
  ): Promise<Map<string, StreamState>> {
    const sources = new Map<string, StreamState>();
    for (const spec of specs) {
      const source = spec.from && streamSourceOf(spec.from, stream.namespace, stream.name);
      if (!source || (source.namespace === stream.namespace && source.stream === stream.name)) continue;
      const key = `${source.namespace}/${source.stream}`;
      if (sources.has(key)) continue;
      if (source.namespace !== stream.namespace)
        await this.options.authorize(principal, { verb: 'get', resource: 'imagestreams', namespace: source.namespace });
      const state = await this.streams.getStream(source.namespace, source.stream);
      if (!state) {
        throw new InvalidError('ImageStreamTag', spec.name, [
          {
            reason: 'FieldValueNotFound',
            field: `spec.tags[${spec.name}].from`,
            message: `image stream "${key}" not found`,
          },
        ]);
      }
      sources.set(key, this.withAliases(state));
    }
    return sources;
  }

  /** Applies spec tags in order to an in-memory stream (no I/O), so a tag may copy one written just before it. */
  private planSpecTags(
    principal: Principal,
    state: StreamState,
    specs: TagReference[],
    generation: number,
    sources: Map<string, StreamState>,
  ): StreamState & { dropped: TagEvent[] } {
    let current = state;
    const dropped: TagEvent[] = [];
    for (const spec of specs) {
      const sourceEvent = sourceEventFor(current, spec, sources);
      const result = applySpecTag(current, spec, {
        generation,
        now: this.now(),
        actor: actorOf(principal),
        historyLimit: this.options.historyLimit,
        sourceEvent,
      });
      dropped.push(...result.dropped);
      const changed = new Map(result.changed.map((t) => [t.name, t]));
      current = { ...current, tags: [...current.tags.filter((t) => !changed.has(t.name)), ...changed.values()] };
    }
    return { ...current, dropped };
  }

  private reportTrimmed(stream: StreamRecord, dropped: TagEvent[]): void {
    if (dropped.length) this.options.onHistoryTrimmed?.({ namespace: stream.namespace, stream: stream.name, dropped });
  }
}

export interface Status {
  apiVersion: 'v1';
  kind: 'Status';
  metadata: Record<string, never>;
  status: 'Success';
  details: { name: string; group: string; kind: string };
}

/** The current image of an ImageStreamTag / ImageStreamImage source: the stream itself, or one of the loaded sources. */
function sourceEventFor(
  state: StreamState,
  spec: TagReference,
  sources: Map<string, StreamState>,
): TagEvent | undefined {
  const { namespace, name } = state.stream;
  const source = spec.from && streamSourceOf(spec.from, namespace, name);
  if (!source) return undefined;
  const sourceState =
    source.namespace === namespace && source.stream === name
      ? state
      : sources.get(`${source.namespace}/${source.stream}`);
  if (!sourceState) return undefined;
  if (source.tag !== undefined) return sourceState.tags.find((t) => t.name === source.tag)?.items[0];
  try {
    return findImageInHistory(sourceState.tags, source.id ?? '', source.stream);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    throw new InvalidError(
      'ImageStreamTag',
      spec.name,
      [{ reason: 'FieldValueNotFound', field: `spec.tags[${spec.name}].from.name`, message: error.message }],
      { cause: error },
    );
  }
}

/** The newest generation a tag's spec or status has seen; a write must bring a newer one. */
function generationOf(tag: TagRecord | undefined): number {
  return tag ? Math.max(tag.spec?.generation ?? 0, observedGeneration(tag)) : 0;
}

/** Tagging a stream from an image of its own history is a rollback; anything else is a plain tag. */
function causeOf(stream: StreamRecord, spec: TagReference | null): 'tag' | 'rollback' {
  const from = spec?.from;
  if (from?.kind !== 'ImageStreamImage') return 'tag';
  const source = streamSourceOf(from, stream.namespace, stream.name);
  return source?.namespace === stream.namespace && source.stream === stream.name ? 'rollback' : 'tag';
}

function successStatus(kind: string, name: string): Status {
  return {
    apiVersion: 'v1',
    kind: 'Status',
    metadata: {},
    status: 'Success',
    details: { name, group: 'image.openshift.io', kind },
  };
}

function list<T>(kind: string, items: T[], metadata: ListMetadata = {}): List<T> {
  return { apiVersion: imageApiVersion, kind, metadata, items };
}

/** How many store items to read at a time for a page: a stream is its record and a few tag items. */
function itemsToRead(request: ListRequest): number | undefined {
  return request.limit === undefined ? undefined : Math.min(1000, 4 * (request.limit + 1));
}

function parsed<T>(schema: Parameters<typeof parseBody<T>>[0], body: unknown, kind: string, name: string): T {
  const result = parseBody(schema, body);
  if ('causes' in result) throw new InvalidError(kind, name, result.causes);
  return result.value;
}

function requireStream(namespace: string, name: string): void {
  requireNamespace(namespace);
  const causes = validateStreamName(name, namespace);
  if (causes.length) throw new InvalidError('ImageStream', name, causes);
}

function requireStreamTag(namespace: string, istag: string): { stream: string; tag: string } {
  requireNamespace(namespace);
  const parts = splitStreamTag(istag);
  if (!parts) throw new BadRequestError('ImageStreamTags must be retrieved with <name>:<tag>');
  const causes = [...validateStreamName(parts.stream, namespace), ...validateTagName(parts.tag, 'metadata.name')];
  if (causes.length) throw new InvalidError('ImageStreamTag', istag, causes);
  return parts;
}
