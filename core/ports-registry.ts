import type { RegistryReference, RegistryRepository } from './references/registry-reference.ts';
import type { RegistryHolder, ResourceActions } from './registry-tokens/registry-scope.ts';
import type { RegistryGrant, RegistryLogin } from './registry-tokens/registry-token-schema.ts';

export type { RegistryReference, RegistryRepository };

export interface RegistryCredentials {
  username: string;
  password: string;
}

export interface RegistryAccess {
  /** Plain HTTP and unverified TLS are allowed (the tag's importPolicy.insecure or the deployment's list). */
  insecure: boolean;
  credentials?: RegistryCredentials | undefined;
  /** Stops the requests of an import that ran out of time. */
  signal?: AbortSignal | undefined;
}

/**
 * How the service reaches its own registry (the integrated one) to verify what was pushed there: at which
 * host, over what, and with which credentials of the service's own.
 */
export interface IntegratedRegistryAccess {
  /** host[:port] the requests go to: the registry's own host, or a stand-in for it (tests). */
  host: string;
  /** Plain HTTP allowed (local mode's registry on loopback). */
  insecure: boolean;
  /** The service's credentials for its registry; undefined where it needs none. */
  credentials(): Promise<RegistryCredentials | undefined>;
}

export interface ResolvedManifest {
  digest: string;
  mediaType: string;
  /** Present when resolving had to fetch the bytes (the registry sent no digest header). */
  body?: Uint8Array | undefined;
}

/** A repository's tag listing as far as it was read. */
export interface TagListing {
  tags: string[];
  /** Pages requested. */
  pages: number;
  /** The page cap stopped the listing while the registry still offered a next page. */
  truncated: boolean;
}

/** Reads from OCI / Docker registries. Failures are ImportFailure with an OpenShift reason and whether they are transient. */
export interface RegistryClient {
  /** What the reference's digest or tag points at now: one HEAD when the registry sends the digest. */
  resolve(ref: RegistryReference, access: RegistryAccess): Promise<ResolvedManifest>;
  /** A manifest's bytes, refused unless they hash to `digest`. */
  getManifest(
    repo: RegistryRepository,
    digest: string,
    access: RegistryAccess,
  ): Promise<{ mediaType: string; body: Uint8Array }>;
  /** A blob (an image config), refused unless it hashes to `digest` and is small enough. */
  getBlob(repo: RegistryRepository, digest: string, access: RegistryAccess): Promise<Uint8Array>;
  /** The repository's tags, following `Link` pages, at most `limit`. */
  listTags(repo: RegistryRepository, access: RegistryAccess, limit: number): Promise<string[]>;
  /** Every tag of the repository, following `Link` pages, reading at most `maxPages` pages. */
  listTagPages(repo: RegistryRepository, access: RegistryAccess, maxPages: number): Promise<TagListing>;
  /**
   * The manifest a tag points at (a cosign `sha256-<hex>.sig` tag), undefined when the tag does not exist.
   * Size-capped; refused when the bytes do not hash to the digest the registry claims.
   */
  getTaggedManifest(repo: RegistryRepository, tag: string, access: RegistryAccess): Promise<TaggedManifest | undefined>;
  /**
   * The OCI 1.1 referrers of `digest` as an image index: from the referrers API, or, where the registry has
   * none, from the referrers tag schema (`sha256-<hex>`); undefined when neither exists.
   */
  getReferrers(
    repo: RegistryRepository,
    digest: string,
    access: RegistryAccess,
  ): Promise<{ mediaType: string; body: Uint8Array } | undefined>;
}

export interface TaggedManifest {
  digest: string;
  mediaType: string;
  body: Uint8Array;
}

/** What a Local tag's image is served from: the stream, and the image as the import found it. */
export interface ServeRequest {
  namespace: string;
  stream: string;
  /** The source repository on the wire, as the import read it. */
  source: RegistryRepository;
  /** The digest the tag records (an index, or one platform's manifest). */
  digest: string;
  /** How the import reached the source: its credentials, insecure flag and deadline. */
  access: RegistryAccess;
}

/** Served: the reference to pull by digest. Not served: why, and whether a later import may succeed. */
export type ServeResult =
  | { ok: true; dockerImageReference: string }
  | { ok: false; reason: string; message: string; transient: boolean };

/**
 * Serves a tag's image through the integrated registry (`referencePolicy: Local`): a copy into the
 * stream's repository locally, an ECR pull-through cache rule in AWS. Never throws for a refusal.
 */
export interface ImageServer {
  serve(request: ServeRequest): Promise<ServeResult>;
}

/** What became of a deleted stream's repository, for the log. */
export interface RepositoryRelease {
  outcome: 'deleted' | 'kept' | 'absent';
  repository: string;
  /** Why it was kept. */
  why?: string;
}

/** The streams' repositories in the integrated registry, when a stream goes away. */
export interface StreamRepositories {
  /** Deletes the stream's repository when it holds no image, else keeps it; never throws. */
  release(namespace: string, stream: string): Promise<RepositoryRelease>;
}

/**
 * Credentials for the integrated registry: ECR authorization tokens under a scoped STS session in AWS; in
 * local mode, passwords the service signs and its own token realm honours.
 */
export interface RegistryLogins {
  /** Short-lived credentials allowing `grant.access` on exactly the repositories of the grant's streams. */
  issue(grant: RegistryGrant, subject: string): Promise<RegistryLogin>;
  /** A new login of the service itself to its registry (verifying pushed digests, copying images into it). */
  serviceLogin(): Promise<RegistryLogin>;
}

/** A login the token realm recognised: who holds it, what it allows and until when. */
export interface OpenedLogin {
  subject: string;
  holder: Extract<RegistryHolder, { kind: 'service' | 'grant' }>;
  expiresAt: Date;
}

/** The token realm of the local registry: the service signs the bearer tokens the registry accepts. */
export interface RegistryTokenRealm {
  /** What a password from RegistryLogins allows; undefined unless this service signed it and it is still valid. */
  openLogin(password: string): OpenedLogin | undefined;
  /** A bearer token for the registry granting exactly `access` to `subject`, never outliving `notAfter`. */
  registryToken(
    subject: string,
    access: readonly ResourceActions[],
    notAfter?: Date,
  ): { token: string; expiresIn: number; issuedAt: Date };
}
