// ImageTrigger (imagestreams.dev/v1): binds an ImageStreamTag to a build or deploy target.

export const triggerApiVersion = 'imagestreams.dev/v1';

export type TargetSpec =
  | { webhook: { url: string } }
  | { codeBuild: { project: string; imageEnvVar: string; region?: string } }
  | { ecsService: { cluster: string; service: string; container: string; region?: string } }
  | { lambdaFunction: { functionName: string; region?: string } }
  | { eventBridge: { busName: string; detailType: string; region?: string } };

export interface TriggerStatus {
  lastTriggeredImage?: string;
  /**
   * The tag's image when the trigger was created with fireOnCreate: false; the trigger does not fire for it (until
   * it has fired for another image). Written once, at creation; absent when the tag had no image then.
   */
  skippedImage?: string;
  /** Who moved the tag to the image this trigger last fired for. */
  lastTriggeredBy?: string;
  lastTriggeredAt?: string;
  lastAttemptAt?: string;
  lastSuccessAt?: string;
  lastError?: string;
  attempts: number;
}

/** A trigger as stored: the webhook secret sealed, the source split into its parts. */
export interface TriggerRecord {
  namespace: string;
  name: string;
  uid: string;
  creationTimestamp: string;
  version: number;
  from: { namespace: string; stream: string; tag: string };
  paused: boolean;
  fireOnCreate: boolean;
  target: TargetSpec;
  /** The webhook's signing secret, sealed; never returned. */
  sealedSecret?: string;
  status: TriggerStatus;
}

export interface ImageTrigger {
  apiVersion: typeof triggerApiVersion;
  kind: 'ImageTrigger';
  metadata: { name: string; namespace: string; uid: string; resourceVersion: string; creationTimestamp: string };
  spec: {
    from: { kind: 'ImageStreamTag'; name: string; namespace: string };
    paused: boolean;
    fireOnCreate: boolean;
    target: TargetSpec;
  };
  status: TriggerStatus;
}

/** What a firing delivers: the tag's current image, resolved when the trigger fires. */
export interface TriggerFiring {
  trigger: Pick<TriggerRecord, 'namespace' | 'name' | 'from' | 'target'>;
  image: string;
  pullSpec: string;
  firedAt: string;
  /** A stable id per trigger and image: a receiver can drop a redelivery. */
  id: string;
}

export function toImageTrigger(record: TriggerRecord): ImageTrigger {
  return {
    apiVersion: triggerApiVersion,
    kind: 'ImageTrigger',
    metadata: {
      name: record.name,
      namespace: record.namespace,
      uid: record.uid,
      resourceVersion: String(record.version),
      creationTimestamp: record.creationTimestamp,
    },
    spec: {
      from: {
        kind: 'ImageStreamTag',
        name: `${record.from.stream}:${record.from.tag}`,
        namespace: record.from.namespace,
      },
      paused: record.paused,
      fireOnCreate: record.fireOnCreate,
      target: record.target,
    },
    status: record.status,
  };
}
