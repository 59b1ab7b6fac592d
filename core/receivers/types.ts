// Receiver (imagestreams.dev/v1): a registry's push notifications, turned into immediate re-imports.

export const receiverApiVersion = 'imagestreams.dev/v1';

/** The senders a receiver understands: each has its payload shape and, where the registry signs, its check. */
export const receiverTypes = [
  'dockerhub',
  'quay',
  'harbor',
  'github',
  'gitlab',
  'artifactory',
  'acr',
  'distribution',
  'generic-hmac',
] as const;

export type ReceiverType = (typeof receiverTypes)[number];

/** What the receiver did with its last delivery that passed the token and signature checks. */
export interface ReceiverDelivery {
  receivedAt: string;
  /** `Imported`: tags were re-imported; `NoMatch`: no tag follows the named repositories; `Ignored`: not a push. */
  outcome: 'Imported' | 'NoMatch' | 'Ignored' | 'Invalid';
  message: string;
}

/** A receiver as stored: the shared token sealed, the digest of its webhook token in the clear for the lookup. */
export interface ReceiverRecord {
  namespace: string;
  name: string;
  uid: string;
  creationTimestamp: string;
  version: number;
  type: ReceiverType;
  secretRef: { name: string };
  /** Normalised repositories (or `*` patterns) the receiver may re-import; empty: any the namespace's tags follow. */
  repositories: string[];
  /** The host (and path prefix) of images for senders whose payloads name none (Artifactory). */
  registry?: string;
  suspended: boolean;
  /** Where the registry posts: `/hooks/<token>`. */
  webhookPath: string;
  /** SHA-256 (hex) of the webhook token: the index a delivery is looked up by. */
  tokenDigest: string;
  /** The Secret's `token` value when the receiver was written, sealed for this receiver. */
  sealedToken: string;
  lastDelivery?: ReceiverDelivery;
}

export interface Receiver {
  apiVersion: typeof receiverApiVersion;
  kind: 'Receiver';
  metadata: { name: string; namespace: string; uid: string; resourceVersion: string; creationTimestamp: string };
  spec: {
    type: ReceiverType;
    secretRef: { name: string };
    repositories?: string[];
    registry?: string;
    suspend: boolean;
  };
  status: { webhookPath: string; lastDelivery?: ReceiverDelivery };
}

export function toReceiver(record: ReceiverRecord): Receiver {
  return {
    apiVersion: receiverApiVersion,
    kind: 'Receiver',
    metadata: {
      name: record.name,
      namespace: record.namespace,
      uid: record.uid,
      resourceVersion: String(record.version),
      creationTimestamp: record.creationTimestamp,
    },
    spec: {
      type: record.type,
      secretRef: record.secretRef,
      ...(record.repositories.length ? { repositories: record.repositories } : {}),
      ...(record.registry ? { registry: record.registry } : {}),
      suspend: record.suspended,
    },
    status: {
      webhookPath: record.webhookPath,
      ...(record.lastDelivery ? { lastDelivery: record.lastDelivery } : {}),
    },
  };
}
