import { describe, expect, it } from 'vitest';
import { ConflictError, StaleObjectError, TooManyConcurrentWritesError } from '../../core/errors.ts';
import { retryOnConflict } from '../../core/streams/retry-on-conflict.ts';
import { errorResponse } from '../../functions/lib/error-response.ts';

/** A clock that only moves when the retry waits, so a 20 s budget is spent at once. */
function manualTime() {
  let now = Date.parse('2026-01-01T00:00:00Z');
  return {
    clock: { now: () => new Date(now) },
    sleep: async (ms: number) => {
      now += ms;
    },
    elapsed: () => now - Date.parse('2026-01-01T00:00:00Z'),
  };
}

describe('retryOnConflict', () => {
  it('re-runs a blind write that lost races until it lands', async () => {
    const time = manualTime();
    let tries = 0;
    const result = await retryOnConflict(
      async () => {
        tries++;
        if (tries < 5) throw new StaleObjectError('imagestreamtags', 'python:3.12');
        return 'landed';
      },
      { clock: time.clock, sleep: time.sleep },
    );
    expect(result).toBe('landed');
    expect(tries).toBe(5);
  });

  it('gives up after its budget with 429 and Retry-After, not with a 409 about a version nobody sent', async () => {
    const time = manualTime();
    let tries = 0;
    const failure = await retryOnConflict(
      async () => {
        tries++;
        throw new StaleObjectError('imagestreamtags', 'python:3.12');
      },
      { clock: time.clock, sleep: time.sleep, budgetMs: 20_000, random: () => 1 },
    ).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(TooManyConcurrentWritesError);
    const error = failure as TooManyConcurrentWritesError;
    expect(error.reason).toBe('TooManyRequests');
    expect(error.message).toBe(
      'too many concurrent writes to imagestreamtags "python:3.12": this write was not applied; try again in 1s',
    );
    expect(error.cause).toBeInstanceOf(StaleObjectError);
    // With the longest waits (random() = 1): 20+40+…+1280 ms = 2.54 s, then eight of 2 s; a ninth would pass 20 s.
    expect(time.elapsed()).toBe(18_540);
    expect(tries).toBe(16);

    const { response } = errorResponse(error, 'req-1');
    expect(response.statusCode).toBe(429);
    expect(response.headers).toMatchObject({ 'retry-after': '1' });
    expect(JSON.parse(response.body as string)).toMatchObject({
      kind: 'Status',
      reason: 'TooManyRequests',
      code: 429,
      details: { kind: 'imagestreamtags', name: 'python:3.12', retryAfterSeconds: 1 },
    });
  });

  it('tries a write that names a resourceVersion once: the conflict is the client’s', async () => {
    const time = manualTime();
    let tries = 0;
    const failure = await retryOnConflict(
      async () => {
        tries++;
        throw new StaleObjectError('imagestreamtags', 'python:3.12');
      },
      { clock: time.clock, sleep: time.sleep, resourceVersion: '7' },
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StaleObjectError);
    expect(tries).toBe(1);
  });

  it('does not retry a conflict that no re-read can resolve', async () => {
    const time = manualTime();
    let tries = 0;
    const failure = await retryOnConflict(
      async () => {
        tries++;
        throw new ConflictError('imagestreamimages', 'python@sha256:ab', 'multiple images match the prefix "ab"');
      },
      { clock: time.clock, sleep: time.sleep },
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConflictError);
    expect(tries).toBe(1);
  });
});
