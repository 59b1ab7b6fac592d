import { describe, expect, it } from 'vitest';
import { firingDue } from '../../core/triggers/firing-due.ts';
import type { TriggerStatus } from '../../core/triggers/types.ts';

const a = `sha256:${'a'.repeat(64)}`;
const b = `sha256:${'b'.repeat(64)}`;
const leaseMs = 300_000;
const now = new Date('2026-11-27T12:00:00.000Z');
/** A time `minutes` before `now`, written as the store writes it. */
const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000).toISOString();
const trigger = (status: Partial<TriggerStatus> = {}, paused = false) => ({
  paused,
  status: { attempts: 0, ...status },
});

describe('firingDue', () => {
  it('fires nothing for a paused trigger, even for an image it never fired for', () => {
    expect(firingDue(trigger({}, true), { image: a }, now, leaseMs)).toBe('paused');
    expect(firingDue(trigger({ lastTriggeredImage: b }, true), undefined, now, leaseMs)).toBe('paused');
  });

  it('fires nothing while the tag has no image (no stream, no tag, or an empty tag)', () => {
    expect(firingDue(trigger(), undefined, now, leaseMs)).toBe('no-image');
  });

  it('fires nothing for the image skipped at creation while the trigger has fired for nothing', () => {
    expect(firingDue(trigger({ skippedImage: a }), { image: a }, now, leaseMs)).toBe('skipped');
  });

  it('fires for an image other than the one it last fired for, or for the first image', () => {
    expect(firingDue(trigger(), { image: a }, now, leaseMs)).toBe('new-image');
    expect(firingDue(trigger({ skippedImage: a }), { image: b }, now, leaseMs)).toBe('new-image');
    const fired = { lastTriggeredImage: b, lastTriggeredAt: ago(1), lastSuccessAt: ago(1), attempts: 1 };
    expect(firingDue(trigger(fired), { image: a }, now, leaseMs)).toBe('new-image');
  });

  it('fires the skipped image again once the trigger has fired for another one', () => {
    const status = { skippedImage: a, lastTriggeredImage: b, lastTriggeredAt: ago(9), lastSuccessAt: ago(9) };
    expect(firingDue(trigger(status), { image: a }, now, leaseMs)).toBe('new-image');
  });

  it('fires nothing again for the image it delivered, however long ago', () => {
    const status = { lastTriggeredImage: a, lastTriggeredAt: ago(60), lastSuccessAt: ago(59), attempts: 1 };
    expect(firingDue(trigger(status), { image: a }, now, leaseMs)).toBe('up-to-date');
  });

  it('fires nothing again for the image whose delivery failed: the failure is its outcome', () => {
    const status = { lastTriggeredImage: a, lastTriggeredAt: ago(60), lastError: 'HTTP 500', attempts: 4 };
    expect(firingDue(trigger(status), { image: a }, now, leaseMs)).toBe('up-to-date');
  });

  it('leaves a claimed firing without outcome to its deliverer while the lease runs, to the minute it ends', () => {
    expect(firingDue(trigger({ lastTriggeredImage: a, lastTriggeredAt: ago(1) }), { image: a }, now, leaseMs)).toBe(
      'up-to-date',
    );
    expect(firingDue(trigger({ lastTriggeredImage: a, lastTriggeredAt: ago(5) }), { image: a }, now, leaseMs)).toBe(
      'up-to-date',
    );
  });

  it('delivers again a claimed firing without outcome once its lease has lapsed (its deliverer died)', () => {
    expect(firingDue(trigger({ lastTriggeredImage: a, lastTriggeredAt: ago(6) }), { image: a }, now, leaseMs)).toBe(
      'abandoned',
    );
    // An earlier image's success does not count as this firing's outcome.
    const earlier = { lastTriggeredImage: a, lastTriggeredAt: ago(6), lastSuccessAt: ago(30) };
    expect(firingDue(trigger(earlier), { image: a }, now, leaseMs)).toBe('abandoned');
  });

  it('delivers again even the skipped image when a claim for it was left without outcome', () => {
    const status = { skippedImage: a, lastTriggeredImage: a, lastTriggeredAt: ago(6) };
    expect(firingDue(trigger(status), { image: a }, now, leaseMs)).toBe('abandoned');
  });
});
