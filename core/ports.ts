import type { RoleBindingRecord } from './access/roles.ts';
import type { BusEvent } from './events/bus-events.ts';
import type { ReceiverDelivery, ReceiverRecord } from './receivers/types.ts';
import type { SlotCursor } from './scheduling/schedule.ts';
import type { Image, StreamRecord, StreamState, TagRecord } from './streams/types.ts';
import type { TriggerFiring, TriggerRecord, TriggerStatus } from './triggers/types.ts';

/** What a tag write needs of its stream. */
export type StreamKey = Pick<StreamRecord, 'namespace' | 'name' | 'uid'>;

/** A tag found through the scheduler's index, with its stream. */
export interface IndexedTag {
  stream: StreamKey;
  tag: TagRecord;
}

/** A conditional write that found the record in another state answers it as it is now (undefined when gone). */
export type Claim<T> = { claimed: true } | { claimed: false; current: T | undefined };

// The stores, one per kind of record. Writes are single-item and conditional.

/** Streams and their tags. */
export interface StreamStore {
  /** The stream and all its tags, read in one query; undefined when there is no such stream. */
  getStream(namespace: string, name: string): Promise<StreamState | undefined>;
  /** Every stream of a namespace with its tags, ordered by name. */
  listStreams(namespace: string): Promise<StreamState[]>;
  /**
   * A namespace's streams with their tags, ordered by name, from `start` on (after the named stream, or at it),
   * read from the store as the caller consumes them; `pageSize` hints how many items to read at a time.
   */
  streamsFrom(
    namespace: string,
    start: { after: string } | { at: string } | undefined,
    pageSize?: number,
  ): AsyncIterable<StreamState>;
  /** Stores a new stream record; AlreadyExistsError when the name is taken. */
  createStream(stream: StreamRecord): Promise<void>;
  /** Replaces the stream record if its stored version is `expectedVersion`; ConflictError otherwise. Returns it with the new version. */
  updateStream(stream: StreamRecord, expectedVersion: number): Promise<StreamRecord>;
  /** Atomically advances the stream's generation (a spec change) and returns the new value; NotFoundError when the stream is gone. */
  nextGeneration(stream: StreamRecord): Promise<number>;
  /** Removes the stream record, then its tags; NotFoundError when it is already gone. */
  deleteStream(stream: StreamRecord): Promise<void>;
  /** Writes a tag if its stored version is `tag.version` (0: not stored yet); ConflictError otherwise. Returns it with the new version. */
  putTag(stream: StreamKey, tag: TagRecord): Promise<TagRecord>;
  /** Removes a tag if its stored version is `tag.version`; ConflictError otherwise. */
  deleteTag(stream: StreamKey, tag: TagRecord): Promise<void>;
  /** Clears a tag's unpublished change once announced, if the tag is still at `version`; false when it moved on. */
  markPublished(stream: StreamKey, tagName: string, version: number): Promise<boolean>;
  /** Scheduled tags importing from `repository` (normalised), in one namespace or in all (from an index: eventually consistent). */
  listFollowers(repository: string, namespace?: string): Promise<IndexedTag[]>;
  /**
   * Asks for a push import of a tag at `at`: true for exactly one asker (that one imports) unless a push
   * import is running (started after `since`: the asker joins it, leaving the digest it names) or the last
   * one left the tag at the digest the asker names (nothing to do).
   */
  requestPushImport(stream: StreamKey, tagName: string, at: string, since: string, digest?: string): Promise<boolean>;
  /** Ends a push import at `at`, taking what pushes that joined it left: the digest they named, and whether one named none or another. */
  takeJoinedPushes(
    stream: StreamKey,
    tagName: string,
    at: string,
  ): Promise<{ digest: string | undefined; again: boolean }>;
}

/** The scheduler's view of tags: what is due, what each slot holds, what is unannounced, where each shard left off. */
export interface ScheduleIndex {
  /** Tags due for an import at `now` (pending, or retrying after a transient failure), oldest first. */
  listDue(now: string, limit: number): Promise<IndexedTag[]>;
  /** Scheduled tags of one slot of the re-import cycle. */
  listSlot(slot: number): Promise<IndexedTag[]>;
  /** Tags whose last change was not announced yet. */
  listUnpublished(limit: number): Promise<IndexedTag[]>;
  /** Where a scheduler shard left slots unfinished, to resume first. */
  getCursor(shard: number): Promise<SlotCursor[]>;
  /** Records where a scheduler shard left slots unfinished (empty: nothing left). */
  putCursor(shard: number, cursor: SlotCursor[]): Promise<void>;
}

/** Namespaces and the role bindings that grant access to them. */
export interface AccessStore {
  /** A namespace's role bindings, ordered by name. */
  listRoleBindings(namespace: string): Promise<RoleBindingRecord[]>;
  /** A namespace's role bindings ordered by name, after the one named `after`, read as consumed. */
  roleBindingsAfter(namespace: string, after: string | undefined, pageSize?: number): AsyncIterable<RoleBindingRecord>;
  /** Creates (`expectedVersion` 0) or replaces a role binding at that version; AlreadyExistsError / ConflictError otherwise. */
  putRoleBinding(binding: RoleBindingRecord, expectedVersion: number): Promise<RoleBindingRecord>;
  /** Removes a role binding; NotFoundError when there is none. */
  deleteRoleBinding(namespace: string, name: string): Promise<void>;
  /** Records a namespace; AlreadyExistsError when it exists. */
  createNamespace(namespace: NamespaceRecord): Promise<void>;
  /** Whether anything at all, of any kind, is stored in the namespace (its own record aside). */
  namespaceInUse(namespace: string): Promise<boolean>;
  /** Every namespace created through the API, ordered by name. */
  listNamespaces(): Promise<NamespaceRecord[]>;
  /** The namespaces created through the API ordered by name, after the one named `after`, read as consumed. */
  namespacesAfter(after: string | undefined, pageSize?: number): AsyncIterable<NamespaceRecord>;
}

/** Image triggers, their claims on images and the outcomes of their firings. */
export interface TriggerStore {
  /** Stores a new trigger; AlreadyExistsError when the name is taken. */
  createTrigger(trigger: TriggerRecord): Promise<void>;
  /** Replaces a trigger's spec if it is at `trigger.version`, keeping its status; ConflictError otherwise. */
  replaceTrigger(trigger: TriggerRecord): Promise<TriggerRecord>;
  /** One trigger, read consistently; undefined when there is none. */
  getTrigger(namespace: string, name: string): Promise<TriggerRecord | undefined>;
  /** A namespace's triggers ordered by name, or every trigger (for the reconcile, from an index: eventually consistent). */
  listTriggers(namespace?: string): Promise<TriggerRecord[]>;
  /** A namespace's triggers ordered by name, after the one named `after`, read consistently as consumed. */
  triggersAfter(namespace: string, after: string | undefined, pageSize?: number): AsyncIterable<TriggerRecord>;
  /** Removes a trigger; NotFoundError when there is none. */
  deleteTrigger(namespace: string, name: string): Promise<void>;
  /** The triggers of one source tag (from an index: eventually consistent). */
  triggersFor(source: TriggerRecord['from']): Promise<TriggerRecord[]>;
  /** Claims `image` for an unpaused trigger, as read (uid and version), that has not fired for it: claimed for exactly one of concurrent claimers; the others get the trigger as it is now. */
  claimTrigger(trigger: TriggerRecord, image: string, at: string, by: string): Promise<Claim<TriggerRecord>>;
  /** Takes over a claim whose firing never recorded an outcome (the deliverer died): true for exactly one taker. */
  reclaimTrigger(trigger: TriggerRecord, image: string, claimedAt: string, at: string): Promise<boolean>;
  /** Records the outcome of a firing, unless the trigger has moved on to another image. */
  recordTriggerResult(
    trigger: TriggerRecord,
    image: string,
    result: Pick<TriggerStatus, 'lastAttemptAt' | 'attempts' | 'lastSuccessAt' | 'lastError'>,
  ): Promise<void>;
}

/** Registry push receivers, found by name in their namespace or by the digest of their webhook token. */
export interface ReceiverStore {
  /** Stores a new receiver; AlreadyExistsError when the name is taken. */
  createReceiver(receiver: ReceiverRecord): Promise<void>;
  /** Replaces a receiver's spec if it is at `receiver.version`, keeping its status; ConflictError otherwise. */
  replaceReceiver(receiver: ReceiverRecord): Promise<ReceiverRecord>;
  /** One receiver, read consistently; undefined when there is none. */
  getReceiver(namespace: string, name: string): Promise<ReceiverRecord | undefined>;
  /** A namespace's receivers, ordered by name. */
  listReceivers(namespace: string): Promise<ReceiverRecord[]>;
  /** Removes a receiver; NotFoundError when there is none. */
  deleteReceiver(namespace: string, name: string): Promise<void>;
  /** The receiver whose webhook token has this SHA-256 (from an index: eventually consistent); one read. */
  findReceiverByToken(digest: string): Promise<ReceiverRecord | undefined>;
  /** Records the outcome of a delivery on the receiver, if it is still the same incarnation. */
  recordDelivery(
    receiver: Pick<ReceiverRecord, 'namespace' | 'name' | 'uid'>,
    delivery: ReceiverDelivery,
  ): Promise<void>;
}

/** Image metadata by digest: immutable, shared by every stream that holds the image. */
export interface ImageStore {
  /** Image metadata by digest, when an import recorded it. */
  getImage(digest: string): Promise<Image | undefined>;
  /** Records image metadata once per digest; a second write of the same digest is a no-op. */
  putImage(image: Image): Promise<void>;
}

/** A namespace's registry credentials, sealed. */
export interface SecretStore {
  /** Stores (creates or replaces) a sealed secret, keeping a replaced one's creationTimestamp; answers it as stored. With `mustNotExist`, AlreadyExistsError when taken. */
  putSecret(namespace: string, secret: StoredSecret, mustNotExist: boolean): Promise<StoredSecret>;
  /** The namespace's sealed secrets, ordered by name. */
  listSecrets(namespace: string): Promise<StoredSecret[]>;
  /** The namespace's sealed secrets ordered by name, after the one named `after`, read as consumed. */
  secretsAfter(namespace: string, after: string | undefined, pageSize?: number): AsyncIterable<StoredSecret>;
  /** Removes a secret; NotFoundError when there is none. */
  deleteSecret(namespace: string, name: string): Promise<void>;
}

/** A secret as stored: sealed; for registry credentials, the registries they are for in the clear (they are not secret). */
export interface StoredSecret {
  name: string;
  /** The Kubernetes secret type: `kubernetes.io/dockerconfigjson` (sealed: the config) or `Opaque` (sealed: the data map, JSON). */
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

/** A namespace created through the API, and who created it. */
export interface NamespaceRecord {
  name: string;
  uid: string;
  creationTimestamp: string;
  createdBy: string;
}

/** Sends events to the bus; answers the ones it could not deliver after its own retries. */
export interface EventPublisher {
  publish(events: BusEvent[]): Promise<BusEvent[]>;
}

/** Delivers a trigger's firing to its target, answering the attempts it took; throws TargetFailure when it could not, after its own retries. */
export interface TriggerTargets {
  deliver(firing: TriggerFiring, secret: string | undefined): Promise<number>;
}

export interface Clock {
  now(): Date;
}
