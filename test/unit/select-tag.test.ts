import fc from 'fast-check';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { selectTag } from '../../core/policy/select-tag.ts';
import type { TagPolicy } from '../../core/policy/tag-policy.ts';

const semverPolicy = (range: string, extra: Partial<TagPolicy> = {}): TagPolicy => ({
  order: { kind: 'semver', range },
  ...extra,
});
const numerical = (direction: 'asc' | 'desc', extra: Partial<TagPolicy> = {}): TagPolicy => ({
  order: { kind: 'numerical', direction },
  ...extra,
});
const alphabetical = (direction: 'asc' | 'desc', extra: Partial<TagPolicy> = {}): TagPolicy => ({
  order: { kind: 'alphabetical', direction },
  ...extra,
});

const pythonTags = [
  'latest',
  '3',
  '3.12',
  '3.10.14',
  '3.11.9',
  '3.12.7',
  '3.12.7-slim',
  '3.13.0rc2',
  '3.13.0-rc.2',
  '4.0.0',
  '2.7.18',
  'sha256-abc.sig',
  'windowsservercore',
];

describe('selectTag', () => {
  it('takes the newest release in a semver range, ignoring junk, partial versions and pre-releases', () => {
    expect(selectTag(semverPolicy('>=3.11.0 <4.0.0'), pythonTags)).toEqual({
      tag: '3.12.7',
      value: '3.12.7',
      candidates: 2,
    });
  });

  it('takes a pre-release only when the range names one at the same version', () => {
    const tags = ['1.2.2', '1.3.0-rc.1', '1.3.0-rc.2', '1.4.0-beta.1'];
    expect(selectTag(semverPolicy('^1.2.0'), tags)?.tag).toBe('1.2.2');
    expect(selectTag(semverPolicy('>=1.3.0-rc.1'), tags)?.tag).toBe('1.3.0-rc.2');
    expect(selectTag(semverPolicy('>=1.3.0-rc.1 <2.0.0'), [...tags, '1.3.0'])?.tag).toBe('1.3.0');
  });

  it('accepts a v prefix and compares it with unprefixed versions', () => {
    expect(selectTag(semverPolicy('1.x'), ['v1.2.0', '1.10.0', 'v1.9.3', 'vv1.11.0'])?.tag).toBe('1.10.0');
    // Equal versions: the alphabetically greatest spelling wins, whatever the listing's order.
    expect(selectTag(semverPolicy('*'), ['v2.0.0', '2.0.0'])?.tag).toBe('v2.0.0');
    expect(selectTag(semverPolicy('*'), ['2.0.0', 'v2.0.0'])?.tag).toBe('v2.0.0');
  });

  it('orders semver on an extracted value', () => {
    const policy = semverPolicy('>=1.0.0', { pattern: '^release-(?P<v>.+)-alpine$', extract: '$v' });
    expect(selectTag(policy, ['release-1.2.0-alpine', 'release-1.10.0-alpine', 'release-9.0.0', '2.0.0'])).toEqual({
      tag: 'release-1.10.0-alpine',
      value: '1.10.0',
      candidates: 2,
    });
  });

  it('follows the newest numeric timestamp of main builds, as in the issue', () => {
    const policy = numerical('asc', { pattern: '^main-[a-f0-9]+-(?P<ts>[0-9]+)$', extract: '$ts' });
    const tags = [
      'main-abc123-1700000000',
      'main-def456-1700000500',
      'main-0a1b2c-999999999',
      'feature-x-ffff-1800000000',
      'main-XYZ-1900000000',
      'latest',
    ];
    expect(selectTag(policy, tags)).toEqual({ tag: 'main-def456-1700000500', value: '1700000500', candidates: 3 });
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a filter-extract template, not JavaScript
    expect(selectTag(numerical('desc', { pattern: policy.pattern ?? '', extract: '${ts}' }), tags)?.tag).toBe(
      'main-0a1b2c-999999999',
    );
  });

  it('compares numbers beyond 2^53 and decimals exactly', () => {
    const tags = ['20241231235959000001', '20241231235959000002', '9007199254740993', '1.5', '1.25', 'x1'];
    expect(selectTag(numerical('asc'), tags)?.tag).toBe('20241231235959000002');
    expect(selectTag(numerical('desc'), tags)?.tag).toBe('1.25');
    expect(selectTag(numerical('asc'), ['0010', '9'])?.tag).toBe('0010');
  });

  it('orders alphabetically by code unit, both ways', () => {
    const tags = ['RELEASE.2024-01-02', 'RELEASE.2024-11-30', 'RELEASE.2023-12-31', 'latest'];
    const filtered = { pattern: '^RELEASE\\.' };
    expect(selectTag(alphabetical('asc', filtered), tags)?.tag).toBe('RELEASE.2024-11-30');
    expect(selectTag(alphabetical('desc', filtered), tags)?.tag).toBe('RELEASE.2023-12-31');
    expect(selectTag(alphabetical('asc'), ['a', 'B', 'b'])?.tag).toBe('b');
  });

  it('uses numbered groups and literal text in a template', () => {
    const policy = alphabetical('asc', { pattern: '^(\\d+)\\.(\\d+)$', extract: '$2-$1$$' });
    expect(selectTag(policy, ['1.9', '2.1', '0.95'])).toEqual({ tag: '0.95', value: '95-0$', candidates: 3 });
  });

  it('searches the pattern anywhere in the tag unless anchored', () => {
    expect(selectTag(alphabetical('asc', { pattern: 'slim' }), ['3.12-slim-bookworm', 'slim', 'z'])?.tag).toBe('slim');
  });

  it('answers undefined when nothing matches', () => {
    expect(selectTag(semverPolicy('>=5.0.0'), pythonTags)).toBeUndefined();
    expect(selectTag(numerical('asc'), ['latest', 'main', ''])).toBeUndefined();
    expect(selectTag(alphabetical('asc', { pattern: '^nope$' }), pythonTags)).toBeUndefined();
    expect(selectTag(semverPolicy('*'), [])).toBeUndefined();
  });

  it('skips names longer than a tag can be', () => {
    expect(selectTag(numerical('asc'), ['9'.repeat(129), '5'])?.tag).toBe('5');
  });

  it('stays linear on a pattern that makes a backtracking engine explode', () => {
    // A backtracking engine takes about 2^100 steps here; RE2 answers at once.
    const policy = alphabetical('asc', { pattern: '^(a+)+$' });
    expect(selectTag(policy, [`${'a'.repeat(100)}!`, 'aaa'])?.tag).toBe('aaa');
  });
});

// Oracles for the properties: written apart from the production code (native RegExp, BigInt,
// semver.satisfies, Array.prototype.sort) so that a shared mistake is unlikely.

function reference(tags: string[], matches: (t: string) => boolean, greater: (a: string, b: string) => boolean) {
  const pool = [...new Set(tags.filter(matches))];
  // The winner: a matching tag that nothing beats; ties go to the alphabetically greatest.
  const sorted = pool.sort((a, b) => (greater(a, b) ? -1 : greater(b, a) ? 1 : a < b ? 1 : a > b ? -1 : 0));
  return sorted[0];
}

// Long numbers past 2^53, or (a run at a time) small ones with leading zeros, so that ties at the top are common.
const longDigits = fc.stringMatching(/^[0-9]{1,22}$/);
const smallDigits = fc.tuple(fc.nat(2), fc.nat(9)).map(([zeros, n]) => `${'0'.repeat(zeros)}${n}`);
const digits = fc.oneof(longDigits, smallDigits);
const junk = fc.stringMatching(/^[a-z][a-z0-9.-]{0,12}$/);

describe('selectTag properties', () => {
  it('numerical: the winner is the greatest build number, by BigInt', () => {
    const tags = fc.constantFrom(longDigits, smallDigits).chain((number) =>
      fc.array(
        fc.oneof(
          number.map((d) => `build-${d}`),
          junk,
        ),
        { maxLength: 60 },
      ),
    );
    fc.assert(
      fc.property(tags, fc.constantFrom('asc', 'desc'), (tags, direction) => {
        const native = /^build-([0-9]+)$/;
        const n = (t: string) => BigInt(native.exec(t)?.[1] ?? '0');
        const expected = reference(
          tags,
          (t) => native.test(t),
          (a, b) => (direction === 'asc' ? n(a) > n(b) : n(a) < n(b)),
        );
        const chosen = selectTag(numerical(direction, { pattern: '^build-(?P<n>[0-9]+)$', extract: '$n' }), tags);
        expect(chosen?.tag).toBe(expected);
      }),
    );
  });

  it('semver: the winner satisfies the range and no satisfying tag is a greater version', () => {
    const version = fc
      .record({
        v: fc.boolean(),
        major: fc.nat(5),
        minor: fc.nat(12),
        patch: fc.nat(12),
        pre: fc.option(fc.constantFrom('rc.1', 'rc.2', 'beta', 'alpha.10'), { nil: undefined }),
      })
      .map(({ v, major, minor, patch, pre }) => `${v ? 'v' : ''}${major}.${minor}.${patch}${pre ? `-${pre}` : ''}`);
    const range = fc.constantFrom('*', '>=1.2.0 <3.0.0', '^2.1.0', '~3.4.0', '>=2.0.0-rc.1 <2.1.0', '1.x || >=4.5.1');
    fc.assert(
      fc.property(fc.array(fc.oneof(version, junk), { maxLength: 60 }), range, (tags, r) => {
        const satisfying = tags.filter((t) => semver.valid(t) !== null && semver.satisfies(t, r));
        const chosen = selectTag(semverPolicy(r), tags);
        if (satisfying.length === 0) {
          expect(chosen).toBeUndefined();
          return;
        }
        expect(chosen).toBeDefined();
        const winner = chosen?.tag as string;
        expect(satisfying).toContain(winner);
        for (const other of satisfying) expect(semver.gt(other, winner)).toBe(false);
        expect(chosen?.candidates).toBe(satisfying.length);
      }),
    );
  });

  it('alphabetical: the winner is the last (asc) or first (desc) matching tag in sorted order', () => {
    fc.assert(
      fc.property(fc.array(junk, { maxLength: 60 }), fc.constantFrom('asc', 'desc'), (tags, direction) => {
        const matching = tags.filter((t) => t.includes('a')).sort();
        const expected = direction === 'asc' ? matching.at(-1) : matching[0];
        expect(selectTag(alphabetical(direction, { pattern: 'a' }), tags)?.tag).toBe(expected);
      }),
    );
  });

  it('does not depend on the order the registry lists tags in', () => {
    const tag = fc.oneof(
      digits.map((d) => `v${d.slice(0, 2)}.${d.slice(2, 3) || '0'}.0`),
      digits,
      junk,
    );
    const policy = fc.constantFrom<TagPolicy>(
      numerical('asc'),
      numerical('desc'),
      alphabetical('asc'),
      semverPolicy('*'),
    );
    fc.assert(
      fc.property(fc.array(tag, { maxLength: 40 }), policy, fc.nat(), (tags, p, seed) => {
        const shuffled = [...tags].sort((a, b) => ((hash(a) ^ seed) & 0xff) - ((hash(b) ^ seed) & 0xff));
        expect(selectTag(p, shuffled)).toEqual(selectTag(p, tags));
      }),
    );
  });
});

function hash(s: string): number {
  let h = 0;
  for (const c of s) h = (h * 31 + (c.codePointAt(0) ?? 0)) | 0;
  return h;
}
