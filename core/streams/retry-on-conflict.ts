import { StaleObjectError, TooManyConcurrentWritesError } from '../errors.ts';
import type { Clock } from '../ports.ts';

export interface RetryOnConflictOptions {
  clock: Clock;
  /**
   * The version the client based its write on, if it sent one. Then a lost race is the client's to
   * resolve (409), and the write is tried once.
   */
  resourceVersion?: string | undefined;
  /** How long a blind write keeps trying before it gives up with 429 (default 20 s, within API Gateway's 29 s). */
  budgetMs?: number;
  /** Waits between tries; tests of this rule pass one that moves their clock. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** Backoff of the first retry; doubles per retry up to `maxDelayMs`. */
const baseDelayMs = 20;
const maxDelayMs = 2000;
/** What a client that still lost is told to wait: by then the crowd it lost to has mostly landed. */
const retryAfterSeconds = 1;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs a read-modify-write, and re-runs it while its conditional write loses a race (a
 * StaleObjectError), with exponential backoff and full jitter so that a crowd of writers spreads out.
 * Kubernetes applies an update without a resourceVersion unconditionally; this is that promise, made
 * with single-item conditional writes. A write that still loses after `budgetMs` gives up with an
 * honest 429 and Retry-After, never with a 409 about a version the client did not send.
 */
export async function retryOnConflict<T>(attempt: () => Promise<T>, options: RetryOnConflictOptions): Promise<T> {
  if (options.resourceVersion !== undefined) return attempt();
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const deadline = options.clock.now().getTime() + (options.budgetMs ?? 20_000);
  for (let retry = 0; ; retry++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof StaleObjectError)) throw error;
      const delay = random() * Math.min(maxDelayMs, baseDelayMs * 2 ** retry);
      if (options.clock.now().getTime() + delay > deadline) {
        throw new TooManyConcurrentWritesError(
          error.details?.kind ?? 'object',
          error.details?.name ?? '',
          retryAfterSeconds,
          { cause: error },
        );
      }
      await sleep(delay);
    }
  }
}
