import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseBusEvent, tagChangedType } from '../../core/events/bus-events.ts';
import { HostPacer } from '../../core/scheduling/host-pacer.ts';
import { scheduleOf, scheduleSlots, slotOf, slotsForTick } from '../../core/scheduling/schedule.ts';
import type { TagRecord } from '../../core/streams/types.ts';
import { matchesPattern } from '../../functions/local/in-process-bus.ts';

describe('slotsForTick', () => {
  it('gives every slot to exactly one tick of a cycle and one shard', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 8 }),
        fc.nat(10_000),
        (ticksPerCycle, shards, start) => {
          const seen = new Map<number, number>();
          for (let t = start; t < start + ticksPerCycle; t++) {
            for (let shard = 0; shard < shards; shard++)
              for (const slot of slotsForTick(t, ticksPerCycle, shard, shards))
                seen.set(slot, (seen.get(slot) ?? 0) + 1);
          }
          expect(seen.size).toBe(scheduleSlots);
          expect([...seen.values()].every((n) => n === 1)).toBe(true);
        },
      ),
    );
  });
});

describe('scheduleOf', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const options = { intervalSeconds: 900, retryBaseSeconds: 60 };
  const tag = (extra: Partial<TagRecord>): TagRecord => ({
    name: 't',
    spec: { name: 't', from: { kind: 'DockerImage', name: 'q/a:1' }, generation: 2 },
    items: [],
    conditions: [],
    version: 1,
    ...extra,
  });
  const imported = { items: [{ created: '', dockerImageReference: 'q/a@x', image: 'x', generation: 2 }] };

  it('makes a pending tag due now', () => {
    expect(scheduleOf('ns', 's', tag({}), now, options)).toEqual({ dueAt: now.toISOString() });
  });

  it('puts a scheduled tag in its stable slot, and nothing else in any slot', () => {
    const scheduled = tag({
      ...imported,
      spec: {
        name: 't',
        from: { kind: 'DockerImage', name: 'q/a:1' },
        generation: 2,
        importPolicy: { scheduled: true },
      },
    });
    expect(scheduleOf('ns', 's', scheduled, now, options)).toEqual({ scheduleSlot: slotOf('ns', 's', 't') });
    expect(scheduleOf('ns', 's', tag(imported), now, options)).toEqual({});
    expect(
      scheduleOf(
        'ns',
        's',
        tag({ spec: { name: 't', reference: true, from: { kind: 'DockerImage', name: 'q/a:1' } } }),
        now,
        options,
      ),
    ).toEqual({});
    expect(scheduleOf('ns', 's', tag({ spec: null }), now, options)).toEqual({});
  });

  it('backs off transient failures exponentially up to the interval, and never retries permanent ones early', () => {
    // recordImport keeps importAttempts only while the last failure was transient.
    const failed = (reason: string, attempts: number | undefined) =>
      tag({
        ...imported,
        ...(attempts ? { importAttempts: attempts } : {}),
        conditions: [
          { type: 'ImportSuccess', status: 'False', reason, lastTransitionTime: now.toISOString(), generation: 2 },
        ],
      });
    expect(scheduleOf('ns', 's', failed('InternalError', 1), now, options).dueAt).toBe('2026-01-01T00:01:00.000Z');
    expect(scheduleOf('ns', 's', failed('RateLimited', 3), now, options).dueAt).toBe('2026-01-01T00:04:00.000Z');
    expect(scheduleOf('ns', 's', failed('InternalError', 10), now, options).dueAt).toBe('2026-01-01T00:15:00.000Z');
    expect(scheduleOf('ns', 's', failed('NotFound', undefined), now, options)).toEqual({});
    // The reason alone does not decide: a permanent InternalError is not retried early.
    expect(scheduleOf('ns', 's', failed('InternalError', undefined), now, options)).toEqual({});
  });

  it('spreads tags over the slots', () => {
    const counts = new Array(scheduleSlots).fill(0);
    for (let i = 0; i < 6000; i++) counts[slotOf('ns', `stream-${i}`, 'latest')]++;
    expect(Math.min(...counts)).toBeGreaterThan(50);
    expect(Math.max(...counts)).toBeLessThan(150);
  });
});

describe('HostPacer', () => {
  function pacer(rate = 2, burst = 2) {
    let time = 0;
    const p = new HostPacer({ ratePerSecond: rate, burst, now: () => time, sleep: async (ms) => void (time += ms) });
    return { p, elapsed: () => time };
  }

  it('lets a burst through, then spaces requests at the rate', async () => {
    const { p, elapsed } = pacer();
    for (let i = 0; i < 4; i++) expect(await p.acquire('h', 10_000)).toBe(true);
    expect(elapsed()).toBe(1000);
  });

  it('keeps hosts apart', async () => {
    const { p, elapsed } = pacer(1, 1);
    expect(await p.acquire('a', 10_000)).toBe(true);
    expect(await p.acquire('b', 10_000)).toBe(true);
    expect(elapsed()).toBe(0);
  });

  it('pauses a host after Retry-After, and gives up on it when the pause outlasts the tick', async () => {
    const { p, elapsed } = pacer();
    p.pause('h', 30);
    expect(await p.acquire('h', 10_000)).toBe(false);
    expect(await p.acquire('h', 60_000)).toBe(true);
    expect(elapsed()).toBe(30_000);
  });

  it('slows down when the registry says few requests remain', async () => {
    const { p, elapsed } = pacer(10, 20);
    p.observeRemaining('h', 6);
    for (let i = 0; i < 21; i++) await p.acquire('h', 1_000_000);
    expect(elapsed()).toBe(10_000);
  });
});

describe('event schema and patterns', () => {
  const event = {
    source: 'imagestreams',
    detailType: tagChangedType,
    detail: {
      namespace: 'demo',
      imageStream: 'python',
      tag: 'latest',
      image: 'sha256:x',
      dockerImageReference: 'q/p@sha256:x',
      generation: 3,
      previous: null,
      cause: 'tag',
      actor: 'user:a',
      changedAt: '2026-01-01T00:00:00Z',
    },
  };

  it('accepts a well-formed event and refuses a malformed one', () => {
    expect(parseBusEvent(event).detail).toEqual(event.detail);
    expect(() => parseBusEvent({ ...event, detail: { ...event.detail, cause: 'magic' } })).toThrow();
    expect(() => parseBusEvent({ ...event, source: 'other' })).toThrow(/not an imagestreams event/);
    expect(() => parseBusEvent({ ...event, detailType: 'Other' })).toThrow(/unknown imagestreams event type/);
  });

  it('matches EventBridge patterns on values and nested details', () => {
    const envelope = { source: 'imagestreams', 'detail-type': tagChangedType, detail: event.detail };
    expect(
      matchesPattern(
        {
          source: ['imagestreams'],
          'detail-type': [tagChangedType],
          detail: { namespace: ['demo'], imageStream: ['python'] },
        },
        envelope,
      ),
    ).toBe(true);
    expect(matchesPattern({ source: ['imagestreams'], detail: { namespace: ['prod'] } }, envelope)).toBe(false);
    expect(matchesPattern({ 'detail-type': ['ImageStreamTag Import Failed'] }, envelope)).toBe(false);
    expect(matchesPattern({ detail: { missing: { deeper: ['x'] } } }, envelope)).toBe(false);
  });
});
