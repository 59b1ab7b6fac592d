import { ImportFailure } from '../../importing/import-failure.ts';
import { refusedToServe } from '../../importing/local-reference.ts';
import { type Descriptor, type Manifest, parseManifest } from '../../importing/manifests.ts';
import { mapBounded } from '../../map-bounded.ts';
import type {
  ImageServer,
  RegistryAccess,
  RegistryCredentials,
  RegistryRepository,
  ServeRequest,
  ServeResult,
} from '../../ports-registry.ts';
import {
  type IntegratedRegistry,
  isIntegratedHost,
  streamRepositoryPath,
} from '../../references/integrated-registry.ts';
import { registryRepository, repositoryLabel } from '../../references/registry-reference.ts';
import type { UndiciRegistryClient } from './undici-registry-client.ts';

export interface RegistryCopyServerOptions {
  client: Pick<
    UndiciRegistryClient,
    'getManifest' | 'hasManifest' | 'hasBlob' | 'openBlob' | 'startUpload' | 'finishUpload' | 'putManifest'
  >;
  registry: IntegratedRegistry;
  /** Largest image (manifests and blobs, as their descriptors declare) one copy may move. */
  maxBytes: number;
  /** Entries a manifest list may have (the import's own limit). */
  maxIndexEntries: number;
  /** Blobs copied at once. */
  concurrency: number;
  /** The service's credentials for its own registry (none while it runs without auth). */
  credentials: () => Promise<RegistryCredentials | undefined>;
}

interface Piece {
  digest: string;
  mediaType: string;
  body: Uint8Array;
}

/**
 * Local mode's `referencePolicy: Local`: copies the image by digest into the stream's repository of the
 * CNCF registry, so that it is pulled from there. What the target holds is never sent again (one HEAD for
 * an image already copied); blobs stream from source to target, hashed on the way; a blob the same
 * registry holds in another repository is mounted instead of copied.
 */
export class RegistryCopyServer implements ImageServer {
  private readonly options: RegistryCopyServerOptions;

  constructor(options: RegistryCopyServerOptions) {
    this.options = options;
  }

  async serve(request: ServeRequest): Promise<ServeResult> {
    const { registry } = this.options;
    const path = streamRepositoryPath(registry, request.namespace, request.stream);
    const served = `${registry.host}/${path}@${request.digest}`;
    const { source, digest } = request;
    const sameRegistry = isIntegratedHost(registry, source.host);
    if (sameRegistry && source.repository === path) return { ok: true, dockerImageReference: served };
    const target: RegistryRepository = {
      ...registryRepository(registry.host, path),
      scope: `repository:${path}:pull,push${sameRegistry ? ` repository:${source.repository}:pull` : ''}`,
    };
    const access: RegistryAccess = {
      insecure: false,
      credentials: await this.options.credentials(),
      signal: request.access.signal,
    };
    try {
      if (await this.options.client.hasManifest(target, digest, access))
        return { ok: true, dockerImageReference: served };
      const top = await this.piece(source, digest, '', request.access);
      const manifest = this.parse(source, top);
      const children: { piece: Piece; manifest: Manifest }[] = [];
      if (manifest.kind === 'index') {
        if (manifest.manifests.length > this.options.maxIndexEntries)
          return refusedToServe(
            'TooManyEntries',
            `its manifest list has ${manifest.manifests.length} entries, more than the ${this.options.maxIndexEntries} allowed`,
          );
        const pieces = await mapBounded(manifest.manifests, this.options.concurrency, (entry) =>
          this.piece(source, entry.digest, entry.mediaType, request.access),
        );
        for (const piece of pieces) {
          const child = this.parse(source, piece);
          if (child.kind === 'index')
            return refusedToServe('BadRequest', `${repositoryLabel(source)}@${piece.digest} is a nested manifest list`);
          children.push({ piece, manifest: child });
        }
      }
      const blobs = uniqueBlobs([manifest, ...children.map((c) => c.manifest)]);
      const total =
        top.body.length +
        children.reduce((sum, c) => sum + c.piece.body.length, 0) +
        blobs.reduce((sum, b) => sum + b.size, 0);
      if (total > this.options.maxBytes)
        return refusedToServe(
          'TooLarge',
          `the image is ${total} bytes, more than the ${this.options.maxBytes} a Local tag may copy into the integrated registry (IMAGESTREAMS_LOCAL_REFERENCE_MAX_BYTES)`,
        );
      await mapBounded(blobs, this.options.concurrency, (blob) =>
        this.copyBlob(source, target, blob, request.access, access, sameRegistry),
      );
      // A manifest list is accepted only once every manifest it names is there: children first.
      for (const { piece } of children)
        await this.options.client.putManifest(target, piece.digest, piece.mediaType, piece.body, access);
      await this.options.client.putManifest(target, digest, top.mediaType, top.body, access);
      return { ok: true, dockerImageReference: served };
    } catch (error) {
      if (error instanceof ImportFailure)
        return { ok: false, reason: error.importReason, message: error.message, transient: error.transient };
      throw error;
    }
  }

  private async piece(
    source: RegistryRepository,
    digest: string,
    mediaType: string,
    access: RegistryAccess,
  ): Promise<Piece> {
    const fetched = await this.options.client.getManifest(source, digest, access);
    return { digest, mediaType: fetched.mediaType || mediaType, body: fetched.body };
  }

  private parse(source: RegistryRepository, piece: Piece): Manifest {
    return parseManifest(piece.body, piece.mediaType, `${repositoryLabel(source)}@${piece.digest}`);
  }

  private async copyBlob(
    source: RegistryRepository,
    target: RegistryRepository,
    blob: Descriptor,
    sourceAccess: RegistryAccess,
    targetAccess: RegistryAccess,
    sameRegistry: boolean,
  ): Promise<void> {
    const { client } = this.options;
    if (await client.hasBlob(target, blob.digest, targetAccess)) return;
    const upload = await client.startUpload(
      target,
      targetAccess,
      sameRegistry ? { digest: blob.digest, from: source.repository } : undefined,
    );
    if (upload.mounted) return;
    const body = await client.openBlob(source, blob.digest, blob.size, sourceAccess);
    await client.finishUpload(target, upload.location, blob.digest, blob.size, body, targetAccess);
  }
}

/** Config and layer blobs of the manifests, each once; foreign (non-distributable) layers stay where they are. */
function uniqueBlobs(manifests: Manifest[]): Descriptor[] {
  const blobs = new Map<string, Descriptor>();
  for (const m of manifests) {
    if (m.kind !== 'image') continue;
    for (const blob of [m.config, ...m.layers])
      if (!/foreign|nondistributable/.test(blob.mediaType)) blobs.set(blob.digest, blob);
  }
  return [...blobs.values()];
}
