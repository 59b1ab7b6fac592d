import { randomBytes } from 'node:crypto';
import { policyAnnotation } from '../policy/policy-annotations.ts';
import type { Clock, IndexedTag, ReceiverStore, SecretCipher, StreamKey, StreamStore } from '../ports.ts';
import { type PushHint, PushPayloadError, parsePush } from '../receivers/parse-push.ts';
import type { ReceiverDelivery, ReceiverRecord } from '../receivers/types.ts';
import { type Headers, verifyDelivery } from '../receivers/verify-delivery.ts';
import { deriveWebhookToken, sameSecret, tokenDigest } from '../receivers/webhook-token.ts';
import { followedSource, normalizeRepository } from '../references/source-repository.ts';
import type { TagRecord } from '../streams/types.ts';
import { HookNotFoundError } from './hook-not-found-error.ts';
import type { ImportService } from './import-service.ts';
import type { EcrPush, IntegratedPushes, PushedTag } from './integrated-pushes.ts';
import { receiverTokenContext } from './receiver-service.ts';

export interface PushServiceOptions {
  receivers: ReceiverStore;
  streams: StreamStore;
  imports: Pick<ImportService, 'importTag'>;
  cipher: SecretCipher;
  clock: Clock;
  /** Pushes of one tag within this window join the import the first one started. */
  coalesceMs: number;
  /** How long a looked-up token (known or not) is answered from memory: a burst of deliveries reads it once. */
  cacheMs: number;
  /** How long the imports of one notification may take; what is left is the scheduled pass's. */
  budgetMs: number;
  /** Tags imported at once for one notification. */
  concurrency: number;
  /**
   * Waits before asking the registry again when it serves another digest than the push named: the CNCF
   * registry notifies before it has moved the tag. A payload naming a digest the registry never serves
   * costs these few checks and changes nothing.
   */
  settleDelaysMs: readonly number[];
  sleep: (ms: number) => Promise<void>;
  /** The integrated registry's pushes, when the deployment has one: an ECR push there moves the stream's tag. */
  integrated?: Pick<IntegratedPushes, 'pushedToEcr'> | undefined;
}

export interface PushOutcome {
  /** Tags whose import this notification ran (each may or may not have moved). */
  imported: number;
  /** Tags following the named repositories whose running import this notification joined. */
  joined: number;
  /** Tags that follow the named repositories. */
  matched: number;
}

type Resolved = { record: ReceiverRecord; secret: string } | undefined;

/** Known tokens kept in memory at most; the oldest go first. */
const maxCached = 1000;
const messageLimit = 200;

/**
 * Push notifications as hints: a delivery names a repository (and maybe a tag and digest); the tags that
 * follow that repository are imported now through the normal import path, which asks the registry itself.
 * What the payload claims is never written anywhere. Bursts for one tag join one import.
 */
export class PushService {
  private readonly options: PushServiceOptions;
  private readonly cache = new Map<string, { at: number; resolved: Promise<Resolved> }>();
  /** Refusals do the work acceptances do: an unknown token is checked against this instead of a receiver's. */
  private readonly dummyRecord: Pick<ReceiverRecord, 'namespace' | 'name' | 'uid'> = {
    namespace: 'none',
    name: 'none',
    uid: 'none',
  };
  /** Made on the first delivery: building the service (every cold start of the API) needs no random bytes. */
  private dummySecret: string | undefined;

  constructor(options: PushServiceOptions) {
    this.options = options;
  }

  /**
   * POST /hooks/{token}: HookNotFoundError for an unknown token, a bad signature or a suspended receiver
   * (the same answer, after the same work); PushPayloadError for a body its type does not send; else the
   * matching tags of the receiver's namespace are imported and the outcome recorded on the receiver.
   */
  async deliver(token: string, headers: Headers, body: Buffer): Promise<PushOutcome> {
    const resolved = await this.resolve(tokenDigest(token));
    const secret = resolved?.secret ?? (this.dummySecret ??= randomBytes(32).toString('hex'));
    const tokenMatches = sameSecret(deriveWebhookToken(secret, resolved?.record ?? this.dummyRecord), token);
    const signed = verifyDelivery(resolved?.record.type ?? 'github', headers, body, secret);
    if (!resolved || !tokenMatches || !signed || resolved.record.suspended) throw new HookNotFoundError();
    const receiver = resolved.record;
    const receivedAt = this.options.clock.now().toISOString();
    let hints: PushHint[];
    try {
      hints = parsePush(receiver.type, headers, body.toString('utf8'), receiver.registry);
    } catch (error) {
      if (error instanceof PushPayloadError)
        await this.record(receiver, { receivedAt, outcome: 'Invalid', message: 'the payload could not be read' });
      throw error;
    }
    const allowed = hints.filter((h) => permits(receiver.repositories, h.repository));
    const outcome = await this.importFollowers(
      allowed,
      receiver.namespace,
      `receiver:${receiver.namespace}/${receiver.name}`,
    );
    await this.record(receiver, { receivedAt, ...describe(hints, allowed, outcome) });
    return outcome;
  }

  /**
   * An ECR push (EventBridge `ECR Image Action`): a push to a stream's own repository in the integrated
   * registry moves that stream's tag; then the tags of every namespace that follow that ECR repository are
   * imported now.
   */
  async pushedToEcr(push: EcrPush): Promise<PushOutcome & { integrated?: PushedTag }> {
    const integrated = await this.options.integrated?.pushedToEcr(push);
    const repository = `${push.account}.dkr.ecr.${push.region}.amazonaws.com/${push.repository}`;
    const outcome = await this.importFollowers(
      [{ repository, ...(push.tag ? { tag: push.tag } : {}), ...(push.digest ? { digest: push.digest } : {}) }],
      undefined,
      'ecr',
    );
    return integrated ? { ...outcome, integrated } : outcome;
  }

  /** The receiver a token digest names, with its shared secret opened; from memory within `cacheMs`, whether known or not. */
  private resolve(digest: string): Promise<Resolved> {
    const now = this.options.clock.now().getTime();
    const cached = this.cache.get(digest);
    if (cached && now - cached.at <= this.options.cacheMs) return cached.resolved;
    const resolved = (async (): Promise<Resolved> => {
      const record = await this.options.receivers.findReceiverByToken(digest);
      if (!record) return undefined;
      const secret = await this.options.cipher.open(
        record.sealedToken,
        receiverTokenContext(record.namespace, record.name),
      );
      return { record, secret };
    })();
    this.cache.delete(digest);
    this.cache.set(digest, { at: now, resolved });
    if (this.cache.size > maxCached) this.cache.delete(this.cache.keys().next().value as string);
    resolved.catch(() => this.cache.delete(digest));
    return resolved;
  }

  private async importFollowers(hints: PushHint[], namespace: string | undefined, actor: string): Promise<PushOutcome> {
    // One index read per repository named; a tag named by several hints is imported once.
    const byRepository = new Map<string, PushHint[]>();
    for (const h of hints) {
      const repository = normalizeRepository(h.repository);
      if (repository) byRepository.set(repository, [...(byRepository.get(repository) ?? []), h]);
    }
    const work = new Map<string, { tag: IndexedTag; digest: string | undefined; exact: boolean }>();
    for (const [repository, named] of byRepository) {
      for (const follower of await this.options.streams.listFollowers(repository, namespace)) {
        // A policy tag follows the whole repository: any pushed tag may be its new winner.
        const anyTag = follower.tag.spec?.annotations?.[policyAnnotation] !== undefined;
        const source = followedSource(follower.tag.spec?.from?.name ?? '');
        const hint = named.find((h) => h.tag === undefined || anyTag || h.tag === source?.tag);
        if (!hint) continue;
        const key = `${follower.stream.namespace}|${follower.stream.name}|${follower.tag.name}`;
        // `exact`: the push named the very tag this one follows, so the tag should end at the digest named.
        const exact = !anyTag && hint.tag !== undefined && hint.tag === source?.tag;
        if (!work.has(key)) work.set(key, { tag: follower, digest: hint.digest, exact });
      }
    }
    const outcome: PushOutcome = { imported: 0, joined: 0, matched: work.size };
    const signal = AbortSignal.timeout(this.options.budgetMs);
    const queue = [...work.values()];
    const failures: unknown[] = [];
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        try {
          const ran = await this.importNow(next.tag.stream, next.tag.tag, next.digest, next.exact, actor, signal);
          outcome[ran ? 'imported' : 'joined']++;
        } catch (error) {
          // One tag's trouble never stops the others; the sender hears of it (and retries, where it does).
          failures.push(error);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, queue.length) }, worker));
    if (failures.length) throw failures[0];
    return outcome;
  }

  /**
   * Imports a tag unless a push of it within the window started an import that is still running (this one
   * joins it) or that left the tag at the digest this one names. Pushes that joined are checked after: one
   * that named a digest the tag did not end at, or none, gets one more import (the registry may have moved
   * on while the first one read it).
   */
  private async importNow(
    stream: StreamKey,
    tag: TagRecord,
    digest: string | undefined,
    exact: boolean,
    actor: string,
    signal: AbortSignal,
  ): Promise<boolean> {
    const now = this.options.clock.now();
    const since = new Date(now.getTime() - this.options.coalesceMs).toISOString();
    if (!(await this.options.streams.requestPushImport(stream, tag.name, now.toISOString(), since, digest)))
      return false;
    const context = { cause: 'push' as const, actor, signal };
    let result = await this.options.imports.importTag(stream, tag, context);
    const expected = exact ? digest : undefined;
    for (const delay of this.options.settleDelaysMs) {
      if (expected === undefined || result.served === undefined || result.served === expected || signal.aborted) break;
      await this.options.sleep(delay);
      result = await this.options.imports.importTag(stream, tag, context);
    }
    const joined = await this.options.streams.takeJoinedPushes(
      stream,
      tag.name,
      this.options.clock.now().toISOString(),
    );
    if (!joined.again && joined.digest === undefined) return true;
    const fresh = (await this.options.streams.getStream(stream.namespace, stream.name))?.tags.find(
      (t) => t.name === tag.name,
    );
    if (fresh && (joined.again || joined.digest !== fresh.items[0]?.image))
      await this.options.imports.importTag(stream, fresh, context);
    return true;
  }

  private async record(receiver: ReceiverRecord, delivery: ReceiverDelivery): Promise<void> {
    await this.options.receivers.recordDelivery(receiver, {
      ...delivery,
      message: delivery.message.slice(0, messageLimit),
    });
  }
}

/** A receiver's `repositories`: exact normalised names, or patterns where `*` stands for anything. Empty allows all. */
function permits(patterns: readonly string[], spelled: string): boolean {
  if (patterns.length === 0) return true;
  const repository = normalizeRepository(spelled);
  if (!repository) return false;
  return patterns.some((p) =>
    p.includes('*') ? new RegExp(`^${p.split('*').map(escapeRegExp).join('.*')}$`).test(repository) : p === repository,
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function describe(hints: PushHint[], allowed: PushHint[], outcome: PushOutcome): Omit<ReceiverDelivery, 'receivedAt'> {
  if (hints.length === 0) return { outcome: 'Ignored', message: 'not a push of a tag' };
  const names = [...new Set(allowed.map((h) => h.repository))].join(', ');
  if (allowed.length === 0)
    return { outcome: 'NoMatch', message: 'the repository is not one this receiver may re-import' };
  if (outcome.matched === 0) return { outcome: 'NoMatch', message: `no scheduled tag follows ${names}` };
  return {
    outcome: 'Imported',
    message: `${outcome.matched} tag(s) following ${names}: ${outcome.imported} imported, ${outcome.joined} already importing`,
  };
}
