import type { Image, StreamRecord, StreamState, TagRecord } from './streams/types.ts';

/** Where streams, tags and images are kept. Writes are single-item and conditional. */
export interface ImageStreamStore {
  /** The stream and all its tags, read in one query; undefined when there is no such stream. */
  getStream(namespace: string, name: string): Promise<StreamState | undefined>;
  /** Every stream of a namespace with its tags, ordered by name. */
  listStreams(namespace: string): Promise<StreamState[]>;
  /** Stores a new stream record; AlreadyExistsError when the name is taken. */
  createStream(stream: StreamRecord): Promise<void>;
  /** Replaces the stream record if its stored version is `expectedVersion`; ConflictError otherwise. Returns it with the new version. */
  updateStream(stream: StreamRecord, expectedVersion: number): Promise<StreamRecord>;
  /** Atomically advances the stream's generation (a spec change) and returns the new value; NotFoundError when the stream is gone. */
  nextGeneration(stream: StreamRecord): Promise<number>;
  /** Removes the stream record, then its tags; NotFoundError when it is already gone. */
  deleteStream(stream: StreamRecord): Promise<void>;
  /** Writes a tag if its stored version is `tag.version` (0: not stored yet); ConflictError otherwise. Returns it with the new version. */
  putTag(stream: StreamRecord, tag: TagRecord): Promise<TagRecord>;
  /** Removes a tag if its stored version is `tag.version`; ConflictError otherwise. */
  deleteTag(stream: StreamRecord, tag: TagRecord): Promise<void>;
  /** Image metadata by digest, when an import recorded it. */
  getImage(digest: string): Promise<Image | undefined>;
  /** Records image metadata once per digest; a second write of the same digest is a no-op. */
  putImage(image: Image): Promise<void>;
  /** Stores (creates or replaces) a namespace's sealed secret; with `mustNotExist`, AlreadyExistsError when taken. */
  putSecret(namespace: string, secret: StoredSecret, mustNotExist: boolean): Promise<void>;
  /** The namespace's sealed secrets, ordered by name. */
  listSecrets(namespace: string): Promise<StoredSecret[]>;
  /** Removes a secret; NotFoundError when there is none. */
  deleteSecret(namespace: string, name: string): Promise<void>;
}

/** Registry credentials as stored: sealed, with the registries they are for in the clear (they are not secret). */
export interface StoredSecret {
  name: string;
  /** The Kubernetes secret type, `kubernetes.io/dockerconfigjson`. */
  secretType: string;
  registries: string[];
  creationTimestamp: string;
  sealed: string;
}

/** Encrypts secrets at rest; `context` binds a ciphertext to where it is stored (namespace and name). */
export interface SecretCipher {
  seal(plaintext: string, context: string): Promise<string>;
  open(sealed: string, context: string): Promise<string>;
}

export interface Clock {
  now(): Date;
}
