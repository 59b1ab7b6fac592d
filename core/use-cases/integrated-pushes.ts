import { DependencyUnavailableError } from '../errors.ts';
import { ImportFailure } from '../importing/import-failure.ts';
import type { Clock, StreamStore } from '../ports.ts';
import type { IntegratedRegistryAccess } from '../ports-registry.ts';
import { parseRegistryNotification } from '../receivers/registry-notification.ts';
import { sameSecret } from '../receivers/webhook-token.ts';
import { digestProblem } from '../references/digest.ts';
import { ecrRegistryOf } from '../references/ecr-registry.ts';
import { type IntegratedRegistry, streamOfRepository, streamRepository } from '../references/integrated-registry.ts';
import { verifyAnnotation } from '../signatures/verify-policy.ts';
import { addTagEvent } from '../streams/add-tag-event.ts';
import { validateTagName } from '../streams/names.ts';
import { retryOnConflict } from '../streams/retry-on-conflict.ts';
import { trackAliases } from '../streams/track-aliases.ts';
import type { TagRecord, TagReference } from '../streams/types.ts';
import { timestamp } from '../timestamp.ts';
import { HookNotFoundError } from './hook-not-found-error.ts';
import type { ImageImporter, ImportSpec } from './image-importer.ts';
import type { TagWriter } from './tag-writer.ts';

/** cosign's accessories of an image, pushed as tags beside it: `sha256-<hex>.sig|.att|.sbom`, and the referrers tag schema's `sha256-<hex>`. */
const accessoryTag = /^sha256-([a-f0-9]{64})(?:\.(sig|att|sbom))?$/;

export interface IntegratedPushesOptions {
  registry: IntegratedRegistry;
  access: IntegratedRegistryAccess;
  streams: StreamStore;
  importer: Pick<ImageImporter, 'import'>;
  writer: TagWriter;
  /** A tag's imagestreams.dev/verify policy, with its key: a push must satisfy it as an import must. */
  signaturePolicy: (namespace: string, spec: TagReference) => Promise<Pick<ImportSpec, 'verify'>>;
  clock: Clock;
  historyLimit: number;
  /** How long verifying one pushed digest may take. */
  budgetMs: number;
  /** What the registry's notifications must carry (`Authorization: Bearer <it>`); unset, every notification is refused. */
  notificationsSecret?: string | undefined;
  /** One line per push that changed nothing, and why. */
  log: (message: string, details: Record<string, unknown>) => void;
}

/** A push to the integrated registry, as its notification or ECR's event tells it. */
export interface IntegratedPush {
  /** The repository's path on the registry: `imagestreams/demo/python`. */
  repository: string;
  tag?: string | undefined;
  digest?: string | undefined;
  /** Who pushed, as the registry authenticated them; undefined where it names no one (ECR, an open registry). */
  pusher?: string | undefined;
  /** The actor recorded when the registry names no pusher. */
  via: 'registry' | 'ecr';
}

/** What an `ECR Image Action` push event says. */
export interface EcrPush {
  account: string;
  region: string;
  repository: string;
  tag?: string;
  digest?: string;
}

export interface PushedTag {
  result: 'moved' | 'unchanged' | 'ignored';
  /** Why nothing moved, for the log. */
  reason?: string;
}

export interface NotificationOutcome {
  moved: number;
  unchanged: number;
  ignored: number;
}

/**
 * OpenShift's image stream mapping: a manifest pushed to a stream's own repository by tag becomes that
 * tag's current image (cause `push`, the pusher as actor), once the registry serves that digest. The
 * stream must exist: a push never creates one, because push credentials are scoped to existing streams'
 * repositories, and a repository without a stream is nobody's to track.
 */
export class IntegratedPushes {
  private readonly options: IntegratedPushesOptions;
  /** Per tag: the push being handled last, which the next one waits for; same-digest pushes share it. */
  private readonly queues = new Map<string, { digest: string; outcome: Promise<PushedTag> }>();

  constructor(options: IntegratedPushesOptions) {
    this.options = options;
  }

  /**
   * POST /registry/notifications from the integrated registry: HookNotFoundError without the shared secret
   * (the same answer as for an unknown hook, in the same time whatever was sent); PushPayloadError for a
   * body that is not a notification envelope. Every push of a tag in it is handled; other events are not.
   */
  async notified(authorization: string | undefined, body: Buffer): Promise<NotificationOutcome> {
    const expected = this.options.notificationsSecret;
    const presented = /^Bearer (\S+)$/i.exec(authorization ?? '')?.[1] ?? '';
    // Compared even when nothing is configured, so that refusals cost the same.
    const matches = sameSecret(presented, expected ?? `${presented}-`);
    if (!expected || !matches) throw new HookNotFoundError();
    const outcome: NotificationOutcome = { moved: 0, unchanged: 0, ignored: 0 };
    for (const event of parseRegistryNotification(body.toString('utf8'))) {
      if (event.action !== 'push' || !event.repository) {
        this.options.log('registry notification ignored: not a push', {
          action: event.action,
          repository: event.repository?.slice(0, 200),
        });
        outcome.ignored++;
        continue;
      }
      const pushed = await this.pushed({
        repository: event.repository,
        tag: event.tag,
        digest: event.digest,
        pusher: event.actor,
        via: 'registry',
      });
      outcome[pushed.result]++;
    }
    return outcome;
  }

  /** An ECR push (`ECR Image Action`): handled when it is to this deployment's registry, else undefined. */
  async pushedToEcr(push: EcrPush): Promise<PushedTag | undefined> {
    const ours = ecrRegistryOf(this.options.registry.host);
    if (ours?.accountId !== push.account || ours.region !== push.region) return undefined;
    if (!streamOfRepository(this.options.registry, push.repository)) return undefined;
    return this.pushed({ repository: push.repository, tag: push.tag, digest: push.digest, via: 'ecr' });
  }

  /**
   * Moves the tag a push names to the pushed digest. Pushes of one tag are handled one after the other in
   * this instance, and one naming the digest a pending one names joins it: a burst costs one verification.
   */
  async pushed(push: IntegratedPush): Promise<PushedTag> {
    const stream = streamOfRepository(this.options.registry, push.repository);
    const problem = !stream
      ? 'no stream owns the repository'
      : !push.tag
        ? 'pushed by digest only'
        : validateTagName(push.tag, 'tag').length
          ? 'not a tag name'
          : !push.digest || digestProblem(push.digest)
            ? 'no valid digest'
            : undefined;
    if (problem || !stream || !push.tag || !push.digest) return this.ignored(push, problem ?? '');
    const accessory = accessoryTag.exec(push.tag);
    if (accessory) {
      // cosign's signature of an image pushed earlier: tags that wait for it may move now.
      if (accessory[2] === 'sig') return this.signed(push, stream, `sha256:${accessory[1]}`);
      return this.ignored(push, 'an attestation, SBOM or referrers tag, not a tag of the stream');
    }
    const key = `${stream.namespace}/${stream.name}:${push.tag}`;
    const last = this.queues.get(key);
    if (last?.digest === push.digest) return last.outcome;
    const target = { ...stream, tag: push.tag, digest: push.digest };
    const outcome = (last?.outcome.catch(() => undefined) ?? Promise.resolve()).then(() => this.move(push, target));
    this.queues.set(key, { digest: push.digest, outcome });
    const forget = () => {
      if (this.queues.get(key)?.outcome === outcome) this.queues.delete(key);
    };
    outcome.then(forget, forget);
    return outcome;
  }

  private async move(
    push: IntegratedPush,
    target: { namespace: string; name: string; tag: string; digest: string },
  ): Promise<PushedTag> {
    const { namespace, name, tag, digest } = target;
    const reference = `${streamRepository(this.options.registry, namespace, name)}@${digest}`;
    const state = await this.options.streams.getStream(namespace, name);
    if (!state) return this.ignored(push, 'no such stream');
    const current = state.tags.find((t) => t.name === tag);
    const head = current?.items[0];
    if (head?.image === digest && head.dockerImageReference === reference) return { result: 'unchanged' };

    // As any import: the registry must serve the digest, a tag that asks for a signature gets a signed
    // image only, and the image's metadata is recorded once.
    let signedBy: string | undefined;
    try {
      const imported = await this.fromRegistry(
        `${push.repository}@${digest}`,
        current?.spec ? await this.options.signaturePolicy(namespace, current.spec) : {},
      );
      if (imported.digest !== digest) return this.ignored(push, 'the registry serves another digest');
      signedBy = imported.signedBy;
      // ECR's events of one tag may be handled by several instances at once, or one retried minutes later:
      // an older push must not land after a newer one. (The CNCF registry notifies one instance in order,
      // before it has moved the tag, so its pushes are ordered by the queue instead.)
      if (push.via === 'ecr') {
        const now = await this.fromRegistry(`${push.repository}:${tag}`, { current: digest });
        if (now.digest !== digest) return this.ignored(push, `superseded: the tag is at ${now.digest} now`);
      }
    } catch (error) {
      if (!(error instanceof ImportFailure)) throw error;
      // Worth the sender's retry (the registry's, EventBridge's) only when asking again may succeed. A missing
      // signature is not: it is pushed after the image, and that push moves the tag (see `signed`).
      if (error.transient && error.importReason !== 'SignatureMissing')
        throw new DependencyUnavailableError('registry.unavailable', error.message, { cause: error });
      return this.ignored(push, `not verified: ${error.message}`);
    }

    const actor = push.pusher ? `user:${push.pusher}` : push.via;
    return retryOnConflict(
      async (): Promise<PushedTag> => {
        const fresh = await this.options.streams.getStream(namespace, name);
        // Deleted (or deleted and recreated) while the digest was checked: the push was to the old one.
        if (fresh?.stream.uid !== state.stream.uid) return this.ignored(push, 'the stream was deleted');
        const before: TagRecord = fresh.tags.find((t) => t.name === tag) ?? {
          name: tag,
          spec: null,
          items: [],
          conditions: [],
          version: 0,
        };
        const event = {
          created: timestamp(this.options.clock.now()),
          dockerImageReference: reference,
          image: digest,
          generation: fresh.stream.generation,
          actor,
          ...(signedBy ? { signedBy } : {}),
        };
        const added = addTagEvent(before, event, this.options.historyLimit);
        if (!added.changed) return { result: 'unchanged' };
        const after = { ...before, items: added.items, conditions: added.conditions };
        const merged = [...fresh.tags.filter((t) => t.name !== tag), after];
        const { tags } = trackAliases(merged, namespace, name, this.options.historyLimit);
        await this.options.writer.write(fresh.stream, fresh.tags, tags, { primary: tag, cause: 'push', actor });
        return { result: 'moved' };
      },
      { clock: this.options.clock },
    );
  }

  /**
   * A signature of `digest` was pushed: each tag of the stream that asks for signatures, is not at that
   * digest, and whose tag in the registry points at it (its push was refused for want of the signature)
   * is handled as that push again. One HEAD per such tag; the others cost nothing.
   */
  private async signed(
    push: IntegratedPush,
    stream: { namespace: string; name: string },
    digest: string,
  ): Promise<PushedTag> {
    const state = await this.options.streams.getStream(stream.namespace, stream.name);
    const waiting = (state?.tags ?? []).filter(
      (t) => t.spec?.annotations?.[verifyAnnotation] && t.items[0]?.image !== digest,
    );
    const outcomes: PushedTag[] = [];
    for (const tag of waiting) {
      let at: string;
      try {
        at = (await this.fromRegistry(`${push.repository}:${tag.name}`, { current: digest })).digest;
      } catch (error) {
        if (!(error instanceof ImportFailure)) throw error;
        // Asked again by the registry's retry, when asking again may succeed; else this tag waits on.
        if (error.transient)
          throw new DependencyUnavailableError('registry.unavailable', error.message, { cause: error });
        continue;
      }
      if (at === digest) outcomes.push(await this.pushed({ ...push, tag: tag.name, digest }));
    }
    return (
      outcomes.find((o) => o.result === 'moved') ??
      outcomes[0] ??
      this.ignored(push, 'a signature no refused push waits for')
    );
  }

  /**
   * The importer on `reference` (`<repository>@<digest>` or `:<tag>`) in the integrated registry, with the
   * service's own credentials, within one push's budget.
   */
  private async fromRegistry(reference: string, spec: Pick<ImportSpec, 'verify' | 'current'>) {
    const access = this.options.access;
    return this.options.importer.import(
      { from: `${access.host}/${reference}`, importMode: 'PreserveOriginal', insecure: access.insecure, ...spec },
      await access.credentials(),
      AbortSignal.timeout(this.options.budgetMs),
    );
  }

  private ignored(push: IntegratedPush, reason: string): PushedTag {
    this.options.log('push to the integrated registry ignored', {
      reason,
      repository: push.repository.slice(0, 200),
      tag: push.tag?.slice(0, 128),
      digest: push.digest?.slice(0, 80),
    });
    return { result: 'ignored', reason };
  }
}
