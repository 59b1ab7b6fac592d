import type { AccessRequest } from '../../access/authorize.ts';
import type { Principal } from '../../access/principal.ts';
import type { ImportOutcome } from '../../importing/record-import.ts';
import type { Clock, ImageStore, StreamStore } from '../../ports.ts';
import type { IntegratedRegistry } from '../../references/integrated-registry.ts';
import type { Image, TagEvent, TagReference } from '../../streams/types.ts';
import type { TagWriter } from '../tag-writer.ts';

/** Everything the image stream use cases may need; each takes only its share (a `Pick` of this). */
export interface StreamPorts {
  streams: StreamStore;
  images: ImageStore;
  /** The access policy, for reading a source in another namespace. */
  authorize: (principal: Principal, request: AccessRequest) => Promise<unknown>;
  writer: TagWriter;
  clock: Clock;
  newUid: () => string;
  /** The service's own registry, where every stream has a repository; absent when it is off. */
  integratedRegistry?: IntegratedRegistry;
  /** History entries kept per tag. */
  historyLimit: number;
  /** Imports tags that wait for an import, within the request when the registry answers in time. */
  importPending?: (namespace: string, stream: string, tags: string[], principal: Principal) => Promise<void>;
  /** Lets go of a deleted stream's repository in the integrated registry (deleted when empty, else kept); never throws. */
  releaseRepository?: (namespace: string, stream: string) => Promise<void>;
  /**
   * Imports a spec tag's DockerImage source before the tag is written (`oc tag`), within the request's
   * import budget: the outcome to record with the spec, or undefined when time ran out.
   */
  importSource?: (stream: { namespace: string; name: string }, spec: TagReference) => Promise<SourceImport | undefined>;
  /** Told about history entries that the limit pushed out, so that nothing disappears silently. */
  onHistoryTrimmed?: (info: { namespace: string; stream: string; dropped: TagEvent[] }) => void;
}

/** What importing a tag's source brought: the outcome to record, and the image when it imported. */
export interface SourceImport {
  outcome: ImportOutcome;
  image?: Image;
}
