import { hkdfSync } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Principal } from '../../core/access/principal.ts';
import { type ContinueTokens, continueTokens } from '../../core/kube/continue-tokens.ts';
import type { Clock, EventPublisher } from '../../core/ports.ts';
import type { StreamRepositories } from '../../core/ports-registry.ts';
import type { TagReference } from '../../core/streams/types.ts';
import { ReceiverService } from '../../core/use-cases/receiver-service.ts';
import { createImageStream } from '../../core/use-cases/streams/create-image-stream.ts';
import { deleteImageStream } from '../../core/use-cases/streams/delete-image-stream.ts';
import { deleteImageStreamTag } from '../../core/use-cases/streams/delete-image-stream-tag.ts';
import { describeStream } from '../../core/use-cases/streams/describe-stream.ts';
import { describeStreamTag } from '../../core/use-cases/streams/describe-stream-tag.ts';
import { getImageStream } from '../../core/use-cases/streams/get-image-stream.ts';
import { getImageStreamImage } from '../../core/use-cases/streams/get-image-stream-image.ts';
import { getImageStreamTag } from '../../core/use-cases/streams/get-image-stream-tag.ts';
import { listImageStreamTags } from '../../core/use-cases/streams/list-image-stream-tags.ts';
import { listImageStreams } from '../../core/use-cases/streams/list-image-streams.ts';
import { putImageStreamTag } from '../../core/use-cases/streams/put-image-stream-tag.ts';
import { replaceImageStream } from '../../core/use-cases/streams/replace-image-stream.ts';
import type { StreamPorts } from '../../core/use-cases/streams/stream-ports.ts';
import { type BaseDependencies, baseDependencies } from './base-dependencies.ts';
import { bound } from './bound.ts';
import type { Config } from './config.ts';
import { importDependencies } from './import-dependencies.ts';
import { triggerDependencies } from './trigger-dependencies.ts';

/**
 * Everything the API uses. Each Lambda function composes only its share (tag-changed: base-dependencies +
 * trigger-firing-dependencies; ecr-push: + import-dependencies; the schedule: imports + reconcile-dependencies),
 * so that its package holds only the code it can run. The API and the schedule fire no trigger: no targets.
 */
export type Dependencies = ReturnType<typeof apiDependencies>;

/** Builds everything the API needs from configuration; the one place adapters are chosen. Local mode brings its own bus. */
export function createDependencies(
  config: Config,
  options: { logger?: Logger; publisher?: EventPublisher; clock?: Clock } = {},
): Dependencies {
  return apiDependencies(baseDependencies(config, options));
}

/** The API's use cases over `base` (local mode adds the trigger firing to the same base). */
export function apiDependencies(base: BaseDependencies) {
  const { config, logger, store, clock, newUid, cipher, access, accessAdmin, authorize, dynamo } = base;
  const { registryTokens, writer, credentials, registry, repositories, imports, pushes, registryPushes, scheduler } =
    importDependencies(base);
  const triggers = triggerDependencies(base);
  const receivers = new ReceiverService({
    receivers: store.receivers,
    secretValue: (namespace, name, key) => credentials.secretValue(namespace, name, key),
    cipher,
    clock,
    newUid,
  });
  const service = imageStreamUseCases({
    streams: store.streams,
    images: store.images,
    authorize,
    writer,
    clock,
    newUid,
    historyLimit: config.historyLimit,
    ...(config.integratedRegistry ? { integratedRegistry: config.integratedRegistry } : {}),
    ...(config.importTimeoutMs > 0
      ? {
          importPending: (namespace: string, stream: string, tags: string[], principal: Principal) =>
            imports.importPendingTags(namespace, stream, tags, principal, config.importTimeoutMs),
          importSource: (stream: { namespace: string; name: string }, spec: TagReference) =>
            imports.importSource(stream, spec, config.importTimeoutMs),
        }
      : {}),
    ...(repositories
      ? {
          releaseRepository: async (namespace: string, stream: string) => {
            const released = await (repositories as StreamRepositories).release(namespace, stream);
            logger.info('integrated registry: repository of a deleted stream', { namespace, stream, ...released });
          },
        }
      : {}),
    onHistoryTrimmed: ({ namespace, stream, dropped }) =>
      logger.info('history limit reached: oldest entries removed', {
        namespace,
        stream,
        limit: config.historyLimit,
        removed: dropped.map((e) => e.dockerImageReference),
      }),
  });
  return {
    /** The image stream use cases (core/use-cases/streams), each bound to its ports. */
    service,
    access,
    accessAdmin,
    /** The trigger CRUD use cases (core/use-cases/triggers), each bound to its ports; firing is not among them. */
    triggers,
    /** The scheduled re-import (loads the import pipeline on its first tick). */
    scheduler,
    writer,
    imports,
    credentials,
    receivers,
    pushes,
    /** Pushes to the integrated registry (its notifications); undefined when the deployment has none. */
    registryPushes,
    registry,
    /** Credentials for the integrated registry (registrytokens, the local token realm, the service's own). */
    registryTokens,
    logger,
    config,
    dynamo,
    clock,
    /** Signs and checks list continue tokens; undefined when no key is configured (lists then come whole). */
    continueTokens: continueTokenKey(config),
  };
}

/** The image stream use cases, each given its ports: what the API's operations call. */
function imageStreamUseCases(ports: StreamPorts) {
  return {
    createImageStream: bound(createImageStream, ports),
    getImageStream: bound(getImageStream, ports),
    listImageStreams: bound(listImageStreams, ports),
    replaceImageStream: bound(replaceImageStream, ports),
    deleteImageStream: bound(deleteImageStream, ports),
    describeImageStream: bound(describeStream, ports),
    getImageStreamTag: bound(getImageStreamTag, ports),
    describeImageStreamTag: bound(describeStreamTag, ports),
    listImageStreamTags: bound(listImageStreamTags, ports),
    putImageStreamTag: bound(putImageStreamTag, ports),
    deleteImageStreamTag: bound(deleteImageStreamTag, ports),
    getImageStreamImage: bound(getImageStreamImage, ports),
  };
}

/** The configured key, or one derived from the credentials key for this purpose alone (local mode, tests). */
function continueTokenKey(config: Config): ContinueTokens | undefined {
  if (config.continueTokenKey) return continueTokens(config.continueTokenKey);
  if (!config.credentialsKey) return undefined;
  return continueTokens(
    Buffer.from(hkdfSync('sha256', config.credentialsKey, '', 'imagestreams list continue tokens', 32)),
  );
}
