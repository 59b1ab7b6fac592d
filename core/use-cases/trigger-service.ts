import type { AccessRequest } from '../access/authorize.ts';
import type { Principal } from '../access/principal.ts';
import { type FieldCause, InvalidError, NotFoundError, staleObjectError } from '../errors.ts';
import { eventSource, parseBusEvent, tagChangedType, triggerFailedType } from '../events/bus-events.ts';
import type { ListMetadata } from '../kube/build-table.ts';
import { type ListRequest, takePage, wholeList } from '../kube/list-request.ts';
import type { Clock, EventPublisher, SecretCipher, StreamStore, TriggerStore, TriggerTargets } from '../ports.ts';
import { slotOf } from '../scheduling/schedule.ts';
import {
  checkBodyIdentity,
  isObjectName,
  requireNamespace,
  splitStreamTag,
  validateNamespace,
  validateStreamName,
  validateTagName,
} from '../streams/names.ts';
import { resolvePullSpec } from '../streams/objects.ts';
import { parseBody } from '../streams/schemas.ts';
import { trackAliases } from '../streams/track-aliases.ts';
import type { StreamState } from '../streams/types.ts';
import { TargetFailure } from '../triggers/target-failure.ts';
import { type ImageTriggerInput, imageTriggerSchema } from '../triggers/trigger-schema.ts';
import {
  type ImageTrigger,
  type TargetSpec,
  type TriggerRecord,
  toImageTrigger,
  triggerApiVersion,
} from '../triggers/types.ts';

export interface TriggerServiceOptions {
  triggers: TriggerStore;
  streams: StreamStore;
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

export type FireOutcome = 'fired' | 'failed' | 'paused' | 'no-image' | 'up-to-date' | 'claimed-elsewhere';

/**
 * Triggers: bind a tag to a build or deploy target and fire once per new image. Firing is level-driven:
 * the tag is resolved now, compared with the image the trigger last fired for, and the new image is
 * claimed with a conditional write before delivery, so duplicated or concurrent deliveries fire once.
 */
export class TriggerService {
  private readonly options: TriggerServiceOptions;

  constructor(options: TriggerServiceOptions) {
    this.options = options;
  }

  async createTrigger(principal: Principal, namespace: string, body: unknown): Promise<ImageTrigger> {
    const input = await this.validate(principal, namespace, undefined, body);
    requireSigned(input.name, input.target, input.secret);
    const record: TriggerRecord = {
      namespace,
      name: input.name,
      uid: this.options.newUid(),
      creationTimestamp: this.now(),
      version: 1,
      from: input.from,
      paused: input.paused,
      fireOnCreate: input.fireOnCreate,
      target: input.target,
      ...(input.secret !== undefined ? { sealedSecret: await this.seal(namespace, input.name, input.secret) } : {}),
      status: { attempts: 0 },
    };
    await this.options.triggers.createTrigger(record);
    if (record.fireOnCreate) await this.fire(record);
    return this.getTrigger(namespace, record.name);
  }

  async replaceTrigger(principal: Principal, namespace: string, name: string, body: unknown): Promise<ImageTrigger> {
    const input = await this.validate(principal, namespace, name, body);
    const existing = await this.options.triggers.getTrigger(namespace, name);
    if (!existing) throw new NotFoundError('imagetriggers', name);
    if (input.resourceVersion !== undefined && input.resourceVersion !== String(existing.version))
      throw staleObjectError('imagetriggers', name);
    // A PUT without the (write-only) secret keeps the one stored.
    requireSigned(name, input.target, input.secret ?? existing.sealedSecret);
    const sealedSecret =
      input.secret !== undefined
        ? await this.seal(namespace, name, input.secret)
        : 'webhook' in input.target
          ? existing.sealedSecret
          : undefined;
    const { sealedSecret: _old, ...rest } = existing;
    const updated = await this.options.triggers.replaceTrigger({
      ...rest,
      from: input.from,
      paused: input.paused,
      fireOnCreate: input.fireOnCreate,
      target: input.target,
      ...(sealedSecret ? { sealedSecret } : {}),
    });
    await this.fire(updated);
    return this.getTrigger(namespace, name);
  }

  async getTrigger(namespace: string, name: string): Promise<ImageTrigger> {
    requireNamespace(namespace);
    const record = await this.options.triggers.getTrigger(namespace, name);
    if (!record) throw new NotFoundError('imagetriggers', name);
    return toImageTrigger(record);
  }

  async listTriggers(
    namespace: string,
    request: ListRequest = wholeList,
  ): Promise<{ apiVersion: string; kind: 'ImageTriggerList'; metadata: ListMetadata; items: ImageTrigger[] }> {
    requireNamespace(namespace);
    const records = this.options.triggers.triggersAfter(namespace, request.after, request.limit && request.limit + 1);
    const page = await takePage(records, request, (t) => ({ position: t.name, metadata: { name: t.name, namespace } }));
    return {
      apiVersion: triggerApiVersion,
      kind: 'ImageTriggerList',
      metadata: page.metadata,
      items: page.items.map(toImageTrigger),
    };
  }

  async deleteTrigger(
    namespace: string,
    name: string,
  ): Promise<{
    apiVersion: 'v1';
    kind: 'Status';
    metadata: Record<string, never>;
    status: 'Success';
    details: { name: string; kind: string };
  }> {
    requireNamespace(namespace);
    await this.options.triggers.deleteTrigger(namespace, name);
    return {
      apiVersion: 'v1',
      kind: 'Status',
      metadata: {},
      status: 'Success',
      details: { name, kind: 'imagetriggers' },
    };
  }

  /** The fan-out of an `ImageStreamTag Changed` event: the changed tag's triggers only. */
  async fanOut(event: {
    source?: unknown;
    detailType?: unknown;
    detail?: unknown;
  }): Promise<Record<FireOutcome, number>> {
    const parsed = parseBusEvent(event);
    if (parsed.detailType !== tagChangedType) return tally([]);
    const { namespace, imageStream, tag } = parsed.detail;
    const triggers = await this.options.triggers.triggersFor({ namespace, stream: imageStream, tag });
    return tally(await this.fireAll(triggers));
  }

  /** The periodic reconcile: catches up every trigger of this shard whose tag moved while an event was lost. */
  async reconcile({
    shard = 0,
    shards = 1,
  }: {
    shard?: number;
    shards?: number;
  } = {}): Promise<Record<FireOutcome, number>> {
    const triggers = (await this.options.triggers.listTriggers()).filter(
      (t) => slotOf(t.from.namespace, t.from.stream, t.from.tag) % shards === shard,
    );
    return tally(await this.fireAll(triggers));
  }

  /** Fires `trigger` if its tag now points at an image it has not fired for. */
  async fire(
    trigger: TriggerRecord,
    streams = new Map<string, Promise<StreamState | undefined>>(),
    reread = true,
  ): Promise<FireOutcome> {
    if (trigger.paused) return 'paused';
    const key = `${trigger.from.namespace}/${trigger.from.stream}`;
    if (!streams.has(key))
      streams.set(key, this.options.streams.getStream(trigger.from.namespace, trigger.from.stream));
    const state = await streams.get(key);
    if (!state) return 'no-image';
    const tags = trackAliases(state.tags, state.stream.namespace, state.stream.name, this.options.historyLimit).tags;
    const tag = tags.find((t) => t.name === trigger.from.tag);
    const head = tag?.items[0];
    if (!tag || !head?.image) return 'no-image';
    const firedAt = new Date(this.options.clock.now()).toISOString();
    if (head.image === trigger.status.lastTriggeredImage) {
      // Fired for this image already, unless that firing died before recording an outcome: then, after a lease, deliver again.
      const { lastTriggeredAt = '', lastSuccessAt = '', lastError } = trigger.status;
      const abandoned =
        !lastError &&
        lastSuccessAt < lastTriggeredAt &&
        Date.parse(firedAt) - Date.parse(lastTriggeredAt) > this.options.leaseMs;
      if (!abandoned || !(await this.options.triggers.reclaimTrigger(trigger, head.image, lastTriggeredAt, firedAt)))
        return 'up-to-date';
    } else {
      const claim = await this.options.triggers.claimTrigger(trigger, head.image, firedAt, head.actor ?? 'unknown');
      if (!claim.claimed) {
        // Claimed by another delivery, or our copy of the trigger is stale (an index read, an edit since): the failed
        // claim answers the trigger as it is now; try once more with it.
        const fresh = reread ? claim.current : undefined;
        return fresh && (fresh.uid !== trigger.uid || fresh.version !== trigger.version)
          ? this.fire(fresh, streams, false)
          : 'claimed-elsewhere';
      }
    }
    const firing = {
      trigger,
      image: head.image,
      pullSpec: resolvePullSpec(state.stream, tag.spec, head),
      firedAt,
      id: `${trigger.uid}/${head.image}`,
    };
    const secret = trigger.sealedSecret
      ? await this.options.cipher.open(trigger.sealedSecret, secretContext(trigger.namespace, trigger.name))
      : undefined;
    try {
      const attempts = await this.options.targets.deliver(firing, secret);
      await this.options.triggers.recordTriggerResult(trigger, head.image, {
        lastAttemptAt: this.now(),
        attempts,
        lastSuccessAt: this.now(),
      });
      return 'fired';
    } catch (error) {
      const failure =
        error instanceof TargetFailure ? error : new TargetFailure((error as Error).message, false, { cause: error });
      await this.options.triggers.recordTriggerResult(trigger, head.image, {
        lastAttemptAt: this.now(),
        attempts: failure.attempts,
        lastError: failure.message,
      });
      await this.options.publisher.publish([
        parseBusEvent({
          source: eventSource,
          detailType: triggerFailedType,
          detail: {
            namespace: trigger.namespace,
            trigger: trigger.name,
            from: { namespace: trigger.from.namespace, imageStream: trigger.from.stream, tag: trigger.from.tag },
            image: head.image,
            error: failure.message,
            attempts: failure.attempts,
            failedAt: this.now(),
          },
        }),
      ]);
      return 'failed';
    }
  }

  private async fireAll(triggers: TriggerRecord[]): Promise<FireOutcome[]> {
    const streams = new Map<string, Promise<StreamState | undefined>>();
    const outcomes: FireOutcome[] = [];
    let next = 0;
    const worker = async () => {
      while (next < triggers.length) outcomes.push(await this.fire(triggers[next++] as TriggerRecord, streams));
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, triggers.length) }, worker));
    return outcomes;
  }

  private now(): string {
    return this.options.clock.now().toISOString();
  }

  private seal(namespace: string, name: string, secret: string): Promise<string> {
    return this.options.cipher.seal(secret, secretContext(namespace, name));
  }

  private async validate(principal: Principal, namespace: string, urlName: string | undefined, body: unknown) {
    requireNamespace(namespace);
    const parsed = parseBody(imageTriggerSchema, body);
    if ('causes' in parsed) throw new InvalidError('ImageTrigger', urlName ?? '', parsed.causes);
    const input: ImageTriggerInput = parsed.value;
    checkBodyIdentity(input.metadata, namespace, urlName);
    const name = input.metadata.name ?? urlName ?? '';
    const causes: FieldCause[] = [];
    if (!isObjectName(name))
      causes.push({
        reason: 'FieldValueInvalid',
        field: 'metadata.name',
        message: 'must be a lowercase RFC 1123 subdomain',
      });
    const sourceNamespace = input.spec.from.namespace || namespace;
    causes.push(...validateNamespace(sourceNamespace, 'spec.from.namespace'));
    const source = splitStreamTag(input.spec.from.name);
    if (!source)
      causes.push({ reason: 'FieldValueInvalid', field: 'spec.from.name', message: 'must be <stream>:<tag>' });
    else
      causes.push(
        ...validateStreamName(source.stream, sourceNamespace, 'spec.from.name'),
        ...validateTagName(source.tag, 'spec.from.name'),
      );
    const rawTarget = input.spec.target;
    let secret: string | undefined;
    let target: TargetSpec = rawTarget as TargetSpec;
    if ('webhook' in rawTarget) {
      const problem = this.options.checkWebhookUrl(rawTarget.webhook.url);
      if (problem) causes.push({ reason: 'FieldValueInvalid', field: 'spec.target.webhook.url', message: problem });
      secret = rawTarget.webhook.secret;
      if (secret !== undefined && secret.length < 16)
        causes.push({
          reason: 'FieldValueInvalid',
          field: 'spec.target.webhook.secret',
          message: 'must be at least 16 characters',
        });
      target = { webhook: { url: rawTarget.webhook.url } };
    }
    if (causes.length) throw new InvalidError('ImageTrigger', name, causes);
    if (sourceNamespace !== namespace)
      await this.options.authorize(principal, { verb: 'get', resource: 'imagestreams', namespace: sourceNamespace });
    // The service's role can reach any build project, service or function of the account: only deployment admins name them.
    if (!('webhook' in target))
      await this.options.authorize(principal, { verb: 'create', resource: 'awstargets', namespace });
    const { stream, tag } = source as { stream: string; tag: string };
    return {
      name,
      resourceVersion: input.metadata.resourceVersion,
      from: { namespace: sourceNamespace, stream, tag },
      paused: input.spec.paused ?? false,
      fireOnCreate: input.spec.fireOnCreate ?? true,
      target,
      secret,
    };
  }
}

/** Webhooks are always signed: a webhook target needs a secret, sent now or stored before. */
function requireSigned(name: string, target: TargetSpec, secret: string | undefined): void {
  if ('webhook' in target && secret === undefined) {
    throw new InvalidError('ImageTrigger', name, [
      {
        reason: 'FieldValueRequired',
        field: 'spec.target.webhook.secret',
        message: 'Required value: webhooks are signed',
      },
    ]);
  }
}

function secretContext(namespace: string, name: string): string {
  return `imagetrigger:${namespace}/${name}`;
}

function tally(outcomes: FireOutcome[]): Record<FireOutcome, number> {
  const counts: Record<FireOutcome, number> = {
    fired: 0,
    failed: 0,
    paused: 0,
    'no-image': 0,
    'up-to-date': 0,
    'claimed-elsewhere': 0,
  };
  for (const outcome of outcomes) counts[outcome]++;
  return counts;
}
