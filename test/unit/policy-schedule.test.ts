import { describe, expect, it } from 'vitest';
import { scheduleOf, slotOf } from '../../core/scheduling/schedule.ts';
import { isReferenceChange } from '../../core/streams/generations.ts';
import type { TagRecord, TagReference } from '../../core/streams/types.ts';

const options = { intervalSeconds: 900, retryBaseSeconds: 30 };
const now = new Date('2026-11-27T12:00:00Z');
const spec = (name: string, from: string, annotations?: Record<string, string>): TagReference => ({
  name,
  from: { kind: 'DockerImage', name: from },
  importPolicy: { scheduled: true },
  ...(annotations ? { annotations } : {}),
});
const record = (s: TagReference): TagRecord => ({ name: s.name, spec: s, items: [], conditions: [], version: 1 });
const semver = { 'imagestreams.dev/policy': 'semver: 3.x' };

describe('scheduling of policy tags', () => {
  it('puts every tag following one repository in the slot of that repository, so one tick shares its listing', () => {
    const slots = [
      ['a', 'python', '3', 'docker.io/library/python'],
      ['b', 'py', 'three', 'python'],
      ['c', 'x', 'y', 'registry-1.docker.io/library/python'],
    ].map(
      ([ns, stream, tag, from]) =>
        scheduleOf(ns as string, stream as string, record(spec(tag as string, from as string, semver)), now, options)
          .scheduleSlot,
    );
    expect(new Set(slots).size).toBe(1);
    // Without a policy, a tag keeps the slot of its own name.
    expect(scheduleOf('a', 'python', record(spec('3', 'python:3')), now, options).scheduleSlot).toBe(
      slotOf('a', 'python', '3'),
    );
  });

  it('treats a change of the policy annotations as a change of what the tag follows', () => {
    const old = spec('3', 'python', semver);
    expect(isReferenceChange(old, spec('3', 'python', { 'imagestreams.dev/policy': 'semver: 4.x' }), 'demo')).toBe(
      true,
    );
    expect(
      isReferenceChange(old, spec('3', 'python', { ...semver, 'imagestreams.dev/filter-tags': '^3' }), 'demo'),
    ).toBe(true);
    expect(isReferenceChange(old, spec('3', 'python', { ...semver, description: 'Python 3' }), 'demo')).toBe(false);
  });
});
