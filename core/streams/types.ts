// Object shapes of image.openshift.io/v1 (reference §1), plus the records the store keeps.

export const imageGroup = 'image.openshift.io';
export const imageApiVersion = `${imageGroup}/v1` as const;

export type SourceKind = 'DockerImage' | 'ImageStreamTag' | 'ImageStreamImage';
export type ImportMode = 'Legacy' | 'PreserveOriginal';
export type ReferencePolicyType = 'Source' | 'Local';
export type Labels = Record<string, string>;

export interface ObjectReference {
  kind: SourceKind;
  name: string;
  namespace?: string;
}

export interface TagImportPolicy {
  insecure?: boolean;
  scheduled?: boolean;
  importMode?: ImportMode;
}

/** spec.tags[] */
export interface TagReference {
  name: string;
  annotations?: Labels | null;
  from?: ObjectReference;
  reference?: boolean;
  generation?: number | null;
  importPolicy?: TagImportPolicy;
  referencePolicy?: { type: ReferencePolicyType };
}

/** One entry of a tag's history; `actor` (our addition) says who or what caused it. */
export interface TagEvent {
  created: string;
  dockerImageReference: string;
  image: string;
  generation: number;
  actor?: string;
  /** Our addition (issue 16): who signed the image, when the tag verifies signatures (imagestreams.dev/verify). */
  signedBy?: string;
}

export interface TagEventCondition {
  /** ImportSuccess: OpenShift's import failure. LocalReference (ours): a Local tag whose image the integrated registry does not serve. */
  type: 'ImportSuccess' | 'LocalReference';
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime: string;
  reason?: string;
  message?: string;
  generation: number;
}

export interface NamedTagEventList {
  tag: string;
  items: TagEvent[];
  conditions?: TagEventCondition[];
}

export interface ObjectMeta {
  name: string;
  namespace: string;
  uid: string;
  resourceVersion: string;
  generation?: number;
  creationTimestamp: string;
  labels?: Labels;
  annotations?: Labels;
}

export interface ImageStream {
  apiVersion: typeof imageApiVersion;
  kind: 'ImageStream';
  metadata: ObjectMeta;
  spec: { lookupPolicy: { local: boolean }; dockerImageRepository?: string; tags: TagReference[] };
  status: { dockerImageRepository: string; tags: NamedTagEventList[] };
}

/** Image metadata as OpenShift's `Image` (name = digest); kept once per digest. */
export interface Image {
  apiVersion?: typeof imageApiVersion;
  kind?: 'Image';
  metadata: { name: string; creationTimestamp?: string; annotations?: Labels };
  dockerImageReference: string;
  dockerImageMetadata?: Record<string, unknown>;
  dockerImageMetadataVersion?: string;
  dockerImageManifestMediaType?: string;
  dockerImageLayers?: { name: string; size: number; mediaType: string }[];
  dockerImageManifests?: {
    digest: string;
    mediaType: string;
    manifestSize: number;
    architecture: string;
    os: string;
    variant?: string;
  }[];
}

export interface ImageStreamTag {
  apiVersion: typeof imageApiVersion;
  kind: 'ImageStreamTag';
  metadata: ObjectMeta;
  tag: TagReference | null;
  generation: number;
  lookupPolicy: { local: boolean };
  conditions?: TagEventCondition[];
  image: Image;
}

export interface ImageStreamImage {
  apiVersion: typeof imageApiVersion;
  kind: 'ImageStreamImage';
  metadata: ObjectMeta;
  image: Image;
}

/** The stream's own record: everything but its tags. */
export interface StreamRecord {
  namespace: string;
  name: string;
  uid: string;
  creationTimestamp: string;
  labels: Labels;
  annotations: Labels;
  lookupLocal: boolean;
  dockerImageRepository: string;
  generation: number;
  version: number;
}

/** One tag of a stream: its spec entry (null for status-only tags) and its status. */
export interface TagRecord {
  name: string;
  spec: TagReference | null;
  items: TagEvent[];
  conditions: TagEventCondition[];
  /** Optimistic-concurrency counter of this tag; 0 means not stored yet. */
  version: number;
  /** A change of the current image not yet announced on the bus (the outbox). */
  unpublished?: TagChange | undefined;
  /** When the scheduler must import this tag (pending, or retrying a transient failure). */
  dueAt?: string | undefined;
  /** The slot of the scheduled re-import cycle this tag is checked in. */
  scheduleSlot?: number | undefined;
  /** Transient import failures in a row, for the retry backoff; absent after a success or a permanent failure. */
  importAttempts?: number | undefined;
  /** When a push notification last started an import of this tag: others within the coalescing window join it. */
  pushRequestedAt?: string | undefined;
  /** The digest named by pushes that joined the running import, checked against what it imported. */
  pushDigest?: string | undefined;
  /** A push that named no digest, or another one, joined the running import: the tag is checked once more after. */
  pushAgain?: boolean | undefined;
  /** When the last push import of this tag finished. */
  pushDoneAt?: string | undefined;
}

/** Who or what moved a tag's current image, and from where. */
export interface TagChange {
  previous: { image: string; dockerImageReference: string } | null;
  cause: ChangeCause;
  actor: string;
  changedAt: string;
}

export type ChangeCause = 'tag' | 'rollback' | 'alias' | 'import' | 'scheduled-import' | 'push';

/** A stream as read in one Query: its record and every tag. */
export interface StreamState {
  stream: StreamRecord;
  tags: TagRecord[];
}
