import type { AccessRequest } from '../../access/authorize.ts';
import type { Principal } from '../../access/principal.ts';
import type { Clock, EventPublisher, SecretCipher, StreamStore, TriggerStore, TriggerTargets } from '../../ports.ts';

/** Everything the trigger use cases may need; each takes only its share (a `Pick` of this). */
export interface TriggerPorts {
  triggers: TriggerStore;
  /** Read only: the source tag's current image. */
  streams: Pick<StreamStore, 'getStream'>;
  /** The access policy, for reading a source in another namespace. */
  authorize: (principal: Principal, request: AccessRequest) => Promise<unknown>;
  targets: TriggerTargets;
  cipher: SecretCipher;
  publisher: EventPublisher;
  clock: Clock;
  newUid: () => string;
  historyLimit: number;
  /** Why a webhook URL is refused by the outbound rules, or undefined. */
  checkWebhookUrl: (url: string) => string | undefined;
  /** Triggers fired at once by a fan-out or a reconcile. */
  concurrency: number;
  /** A claimed firing without an outcome after this long is taken to have died, and is delivered again. */
  leaseMs: number;
}
