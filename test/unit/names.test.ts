import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  splitStreamImage,
  splitStreamTag,
  validateNamespace,
  validateStreamName,
  validateTagName,
} from '../../core/streams/names.ts';

describe('validateStreamName', () => {
  it.each(['python', 'my-app', 'a.b_c-d', '0', 'ubi9'])('accepts %s', (name) => {
    expect(validateStreamName(name, 'demo')).toEqual([]);
  });

  it.each([
    ['', 'name or generateName is required'],
    ['Python', 'must match'],
    ['-app', 'must match'],
    ['app-', 'must match'],
    ['a--b', 'must match'],
    ['..', 'may not be "." or ".."'],
    ['a/b', 'may not contain "/"'],
    ['a%2Fb', 'may not contain "/" or "%"'],
    ['ａpp', 'must match'],
    ['a'.repeat(251), "'namespace/name' cannot be longer than 255 characters"],
  ])('refuses %j', (name, message) => {
    const [cause] = validateStreamName(name, 'demo');
    expect(cause?.field).toBe('metadata.name');
    expect(cause?.message).toContain(message);
  });

  it('accepts exactly the lowercase dot-dash-underscore grammar', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (name) => {
        const ok = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/.test(name);
        expect(validateStreamName(name, 'demo').length === 0).toBe(ok);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('validateTagName', () => {
  it.each(['latest', '3.12', 'v1.2.3-rc1', '_x', 'A'])('accepts %s', (tag) => {
    expect(validateTagName(tag, 'tag')).toEqual([]);
  });

  it.each(['', '.hidden', '-x', 'a:b', 'a/b', 'a b', 'x'.repeat(129), 'ñ'])('refuses %j', (tag) => {
    expect(validateTagName(tag, 'spec.tags[0].name')[0]?.field).toBe('spec.tags[0].name');
  });

  it('matches the oc tag grammar for any input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 140 }), (tag) => {
        expect(validateTagName(tag, 't').length === 0).toBe(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('validateNamespace', () => {
  it.each(['demo', 'team-a', 'a1'])('accepts %s', (ns) => expect(validateNamespace(ns)).toEqual([]));
  it.each(['', 'Demo', '-a', 'a-', 'a.b', 'a_b', 'x'.repeat(64)])('refuses %j', (ns) =>
    expect(validateNamespace(ns)).toHaveLength(1),
  );
});

describe('splitStreamTag and splitStreamImage', () => {
  it('needs exactly one separator and two non-empty parts', () => {
    expect(splitStreamTag('python:3.12')).toEqual({ stream: 'python', tag: '3.12' });
    for (const bad of ['python', 'python:', ':3', 'a:b:c', 'a@b:c']) expect(splitStreamTag(bad)).toBeUndefined();
    expect(splitStreamImage('python@sha256:abc')).toEqual({ stream: 'python', id: 'sha256:abc' });
    for (const bad of ['python', 'python@', '@x', 'a@b@c']) expect(splitStreamImage(bad)).toBeUndefined();
  });
});
