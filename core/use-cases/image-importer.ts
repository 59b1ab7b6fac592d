import { imageFromIndex, imageFromManifest } from '../importing/image-metadata.ts';
import { ImportFailure } from '../importing/import-failure.ts';
import { type Manifest, parseManifest, pickPlatform, platformEntries } from '../importing/manifests.ts';
import { isIndex } from '../importing/media-types.ts';
import { mapBounded } from '../map-bounded.ts';
import { selectTag } from '../policy/select-tag.ts';
import { describeTagPolicy, type TagPolicy } from '../policy/tag-policy.ts';
import type { ImageStore } from '../ports.ts';
import type { RegistryAccess, RegistryClient, RegistryCredentials } from '../ports-registry.ts';
import {
  type DockerImageReference,
  parseDockerImageReference,
  pinnedReference,
  repositoryName,
} from '../references/docker-image-reference.ts';
import {
  parseRegistryReference,
  type RegistryReference,
  type RegistryRepository,
  registryReference,
  repositoryLabel,
} from '../references/registry-reference.ts';
import type { Image, ImportMode } from '../streams/types.ts';
import type { SignatureGate, SignaturePolicy } from './signature-gate.ts';
import type { TagListings } from './tag-listings.ts';

export interface ImportSpec {
  /** The pull spec as the user wrote it. */
  from: string;
  importMode: ImportMode;
  preferOs?: string | undefined;
  preferArch?: string | undefined;
  insecure: boolean;
  /** The tag's current image: when the registry still points there, nothing more is fetched or read. */
  current?: string | undefined;
  /** imagestreams.dev/verify: a new digest must carry a signature satisfying this before it is imported. */
  verify?: SignaturePolicy | undefined;
}

export interface ImportedImage {
  /** The tag's new image: the index digest (PreserveOriginal) or the chosen platform's (Legacy). */
  digest: string;
  dockerImageReference: string;
  image: Image;
  /** Platform images of an index, for PreserveOriginal. */
  manifests: Image[];
  /** The registry still points at the tag's current image; `image` is then a stub. */
  unchanged?: boolean;
  /** Who signed the digest, when the tag asks for verification (imagestreams.dev/verify). */
  signedBy?: string;
}

export interface ImageImporterOptions {
  registry: RegistryClient;
  images: ImageStore;
  now: () => string;
  /** Registry host patterns imports may use (`*` wildcards); empty allows every registry. */
  allowedRegistries: readonly string[];
  /** Entries a manifest list may have; a longer one is refused before any child is fetched. */
  maxIndexEntries: number;
  /** Child manifests of one manifest list fetched at once. */
  childConcurrency: number;
  /** Verifies signatures for tags with imagestreams.dev/verify; without it such tags fail to import. */
  signatures?: SignatureGate | undefined;
}

/**
 * Resolves a pull spec to a digest and records the image's metadata once per digest. An image already
 * known by digest costs no further registry request, so an unchanged tag is one HEAD.
 */
export class ImageImporter {
  private readonly options: ImageImporterOptions;

  constructor(options: ImageImporterOptions) {
    this.options = options;
  }

  /** Imports `spec.from`; with `record` false (a dry run) nothing is written. */
  async import(
    spec: ImportSpec,
    credentials: RegistryCredentials | undefined,
    signal?: AbortSignal,
    record = true,
  ): Promise<ImportedImage> {
    const { ref, target } = this.locate(spec.from);
    const access: RegistryAccess = { insecure: spec.insecure, credentials, signal };
    try {
      return await this.importFrom(ref, target, spec, access, record);
    } catch (error) {
      if (error instanceof ImportFailure && error.importReason === 'NotFound') {
        throw new ImportFailure('NotFound', `dockerimage.image.openshift.io "${spec.from}" not found`, {
          transient: false,
        });
      }
      throw error;
    }
  }

  /**
   * Imports the tag of repository `spec.from` that wins `policy` (imagestreams.dev/policy) among the
   * repository's tags. The listing goes through `listings`, so tags following the same repository with
   * the same credentials share it; the winner then costs what any import of it costs (one HEAD when its
   * digest is still `spec.current`). The pull spec recorded is `repository:tag@digest`, naming the winner.
   */
  async importByPolicy(
    spec: ImportSpec,
    policy: TagPolicy,
    options: {
      credentials: RegistryCredentials | undefined;
      listings: TagListings;
      maxPages: number;
      /** The tag's current pull spec: a new winner with the same digest still moves the tag. */
      currentReference?: string | undefined;
      signal?: AbortSignal | undefined;
      record?: boolean;
    },
  ): Promise<ImportedImage & { sourceTag: string; truncated: boolean }> {
    const { ref, target } = this.locate(spec.from);
    const { credentials, signal } = options;
    const listing = await options.listings.read(repositoryLabel(target), spec.insecure, credentials, () =>
      this.options.registry.listTagPages(target, { insecure: spec.insecure, credentials, signal }, options.maxPages),
    );
    const choice = selectTag(policy, listing.tags);
    if (!choice) {
      const cut = listing.truncated ? `; the listing stopped at its cap of ${options.maxPages} pages` : '';
      throw new ImportFailure(
        'NoMatchingTag',
        `no tag of ${spec.from} matches the policy (${describeTagPolicy(policy)}): ${listing.tags.length} tags read${cut}`,
        { transient: false },
      );
    }
    const from = `${repositoryName(ref)}:${choice.tag}`;
    const imported = await this.import({ ...spec, from }, credentials, signal, options.record ?? true);
    const dockerImageReference = `${from}@${imported.digest}`;
    const renamed = options.currentReference !== undefined && options.currentReference !== dockerImageReference;
    return {
      ...imported,
      dockerImageReference,
      ...(imported.unchanged && renamed ? { unchanged: false } : {}),
      sourceTag: choice.tag,
      truncated: listing.truncated,
    };
  }

  /** The tags of a repository (`--all` imports), at most `limit`. */
  async listTags(
    from: string,
    insecure: boolean,
    credentials: RegistryCredentials | undefined,
    limit: number,
  ): Promise<string[]> {
    return this.options.registry.listTags(this.locate(from).target, { insecure, credentials }, limit);
  }

  /** The pull spec parsed once: as spelled (for the references we write) and for the wire. */
  private locate(from: string): { ref: DockerImageReference; target: RegistryReference } {
    const ref = parseDockerImageReference(from);
    const target = registryReference(ref);
    const host = target.host;
    if (!this.isAllowed(host, ref.registry || 'docker.io')) {
      throw new ImportFailure(
        'Forbidden',
        `importing images from registry "${host}" is forbidden: it is not in the list of allowed registries`,
        { transient: false },
      );
    }
    return { ref, target };
  }

  private async importFrom(
    ref: DockerImageReference,
    repo: RegistryReference,
    spec: ImportSpec,
    access: RegistryAccess,
    record: boolean,
  ): Promise<ImportedImage> {
    const store = (image: Image) => (record ? this.store(image) : Promise.resolve(image));
    const resolved = await this.options.registry.resolve(repo, access);
    if (spec.current === resolved.digest) {
      return {
        digest: resolved.digest,
        dockerImageReference: pinnedReference(ref, resolved.digest),
        image: { metadata: { name: resolved.digest }, dockerImageReference: pinnedReference(ref, resolved.digest) },
        manifests: [],
        unchanged: true,
      };
    }
    // cosign's convention: the signature is on the digest the tag records — the index for PreserveOriginal
    // (what `cosign sign <tag>` signs), the chosen platform's manifest for Legacy (`cosign sign -r` signs those).
    const legacyIndex = spec.importMode === 'Legacy' && isIndex(resolved.mediaType);
    const signedBy = legacyIndex ? undefined : await this.verified(repo, resolved.digest, spec, access);
    const signed = signedBy === undefined ? {} : { signedBy };
    const known = await this.trusted(repo, resolved.digest, access);
    const manifest = known
      ? undefined
      : await this.manifest(repo, resolved.digest, resolved.mediaType, resolved.body, access);
    const indexed = known ? isIndex(known.dockerImageManifestMediaType ?? '') : manifest?.kind === 'index';

    if (!indexed) {
      const image =
        known ??
        (await store(
          await this.single(repo, resolved.digest, ref, manifest as Extract<Manifest, { kind: 'image' }>, access),
        ));
      return {
        digest: resolved.digest,
        dockerImageReference: pinnedReference(ref, resolved.digest),
        image,
        manifests: [],
        ...signed,
      };
    }

    if (manifest?.kind === 'index') this.checkEntries(spec.from, manifest.manifests.length);
    const platforms = manifest?.kind === 'index' ? platformEntries(manifest.manifests) : [];
    const index =
      known ??
      (await store(
        imageFromIndex(
          resolved.digest,
          pinnedReference(ref, resolved.digest),
          manifest?.mediaType ?? resolved.mediaType,
          platforms,
          this.options.now(),
        ),
      ));
    const children = (index.dockerImageManifests ?? []).map((m) => ({
      digest: m.digest,
      mediaType: m.mediaType,
      size: m.manifestSize,
      platform: { os: m.os, architecture: m.architecture },
    }));
    this.checkEntries(spec.from, children.length);

    if (spec.importMode === 'Legacy') {
      const chosen = pickPlatform(children, { os: spec.preferOs, architecture: spec.preferArch });
      if (!chosen)
        throw new ImportFailure('BadRequest', `the manifest list of ${spec.from} has no platform image`, {
          transient: false,
        });
      const platformSigner = await this.verified(repo, chosen.digest, spec, access);
      const image = await this.child(repo, chosen.digest, ref, access, store);
      return {
        digest: chosen.digest,
        dockerImageReference: pinnedReference(ref, chosen.digest),
        image,
        manifests: [],
        ...(platformSigner === undefined ? {} : { signedBy: platformSigner }),
      };
    }
    // PreserveOriginal: every platform must import, or the tag does not move. A few at a time, so that one
    // large manifest list cannot open hundreds of registry requests at once.
    const manifests = await mapBounded(children, this.options.childConcurrency, (c) =>
      this.child(repo, c.digest, ref, access, store),
    );
    return {
      digest: resolved.digest,
      dockerImageReference: pinnedReference(ref, resolved.digest),
      image: index,
      manifests,
      ...signed,
    };
  }

  /** Who signed `digest` when the tag asks for a signature; undefined when it does not. */
  private async verified(
    repo: RegistryRepository,
    digest: string,
    spec: ImportSpec,
    access: RegistryAccess,
  ): Promise<string | undefined> {
    if (!spec.verify) return undefined;
    if (!this.options.signatures)
      throw new ImportFailure('InternalError', 'signature verification is not configured in this deployment', {
        transient: false,
      });
    return this.options.signatures.check(repo, digest, spec.verify, access);
  }

  /**
   * Image metadata already recorded for a digest, when it may serve this import: a registry only
   * claims a digest in a header, so metadata recorded from another repository is used only once this
   * registry has served bytes that hash to it. Otherwise anyone's registry could name a private image's
   * digest and read its metadata.
   */
  private async trusted(repo: RegistryRepository, digest: string, access: RegistryAccess): Promise<Image | undefined> {
    const known = await this.options.images.getImage(digest);
    if (!known) return undefined;
    let recordedFrom: string;
    try {
      recordedFrom = repositoryLabel(parseRegistryReference(known.dockerImageReference));
    } catch {
      recordedFrom = '';
    }
    if (recordedFrom !== repositoryLabel(repo)) await this.options.registry.getManifest(repo, digest, access);
    return known;
  }

  private async manifest(
    repo: RegistryRepository,
    digest: string,
    mediaType: string,
    body: Uint8Array | undefined,
    access: RegistryAccess,
  ): Promise<Manifest> {
    const fetched = body ? { mediaType, body } : await this.options.registry.getManifest(repo, digest, access);
    return parseManifest(fetched.body, fetched.mediaType || mediaType, `${repositoryLabel(repo)}@${digest}`);
  }

  private async child(
    repo: RegistryRepository,
    digest: string,
    ref: DockerImageReference,
    access: RegistryAccess,
    store: (image: Image) => Promise<Image>,
  ): Promise<Image> {
    const known = await this.trusted(repo, digest, access);
    if (known) return known;
    const manifest = await this.manifest(repo, digest, '', undefined, access);
    if (manifest.kind !== 'image')
      throw new ImportFailure('BadRequest', `${repositoryLabel(repo)}@${digest} is a nested manifest list`, {
        transient: false,
      });
    return store(await this.single(repo, digest, ref, manifest, access));
  }

  private async single(
    repo: RegistryRepository,
    digest: string,
    ref: DockerImageReference,
    manifest: Extract<Manifest, { kind: 'image' }>,
    access: RegistryAccess,
  ): Promise<Image> {
    const config = await this.options.registry.getBlob(repo, manifest.config.digest, access);
    return imageFromManifest(digest, pinnedReference(ref, digest), manifest, config);
  }

  /** Refuses a manifest list longer than the configured bound before any of its children is fetched. */
  private checkEntries(from: string, entries: number): void {
    const max = this.options.maxIndexEntries;
    if (entries > max)
      throw new ImportFailure(
        'BadRequest',
        `the manifest list of ${from} has ${entries} entries, more than the ${max} an import may fetch; nothing was imported`,
        { transient: false },
      );
  }

  private async store(image: Image): Promise<Image> {
    await this.options.images.putImage(image);
    return image;
  }

  private isAllowed(host: string, spelled: string): boolean {
    const { allowedRegistries } = this.options;
    if (allowedRegistries.length === 0) return true;
    const candidates = new Set([host, spelled, host === 'registry-1.docker.io' ? 'docker.io' : host]);
    return allowedRegistries.some((pattern) => {
      const regExp = new RegExp(
        `^${pattern
          .split('*')
          .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('[^/]*')}$`,
        'i',
      );
      return [...candidates].some((c) => regExp.test(c));
    });
  }
}
