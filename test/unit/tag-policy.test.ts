import { describe, expect, it } from 'vitest';
import { InvalidError } from '../../core/errors.ts';
import { describeTagPolicy, parseTagPolicy } from '../../core/policy/tag-policy.ts';
import { TagPolicyError } from '../../core/policy/tag-policy-error.ts';
import { imageStreamSchema, parseBody } from '../../core/streams/schemas.ts';
import { validateImageStream } from '../../core/streams/validate.ts';

const policy = 'imagestreams.dev/policy';
const filter = 'imagestreams.dev/filter-tags';
const extract = 'imagestreams.dev/filter-extract';

function causesOf(tag: Record<string, unknown>): { field: string; message: string }[] {
  const parsed = parseBody(imageStreamSchema, { metadata: { name: 'python' }, spec: { tags: [tag] } });
  if ('causes' in parsed) throw new Error(JSON.stringify(parsed.causes));
  try {
    validateImageStream(parsed.value, 'demo');
    return [];
  } catch (error) {
    if (!(error instanceof InvalidError)) throw error;
    return error.causes.map(({ field, message }) => ({ field, message }));
  }
}

const repoTag = (annotations: Record<string, string>, name = 'docker.io/library/python') => ({
  name: '3',
  from: { kind: 'DockerImage', name },
  importPolicy: { scheduled: true },
  annotations,
});

describe('parseTagPolicy', () => {
  it('reads each policy kind', () => {
    expect(parseTagPolicy({ [policy]: 'semver: >=3.11.0 <4.0.0' })).toEqual({
      order: { kind: 'semver', range: '>=3.11.0 <4.0.0' },
    });
    expect(parseTagPolicy({ [policy]: 'numerical:desc' })).toEqual({
      order: { kind: 'numerical', direction: 'desc' },
    });
    expect(parseTagPolicy({ [policy]: '  alphabetical :  asc ' })).toEqual({
      order: { kind: 'alphabetical', direction: 'asc' },
    });
    expect(
      parseTagPolicy({ [policy]: 'numerical: asc', [filter]: '^main-[a-f0-9]+-(?P<ts>[0-9]+)$', [extract]: '$ts' }),
    ).toEqual({
      order: { kind: 'numerical', direction: 'asc' },
      pattern: '^main-[a-f0-9]+-(?P<ts>[0-9]+)$',
      extract: '$ts',
    });
  });

  it('answers undefined for a tag without policy annotations', () => {
    expect(parseTagPolicy(undefined)).toBeUndefined();
    expect(parseTagPolicy({ 'openshift.io/display-name': 'x' })).toBeUndefined();
  });

  it('describes a policy as describe prints it', () => {
    expect(describeTagPolicy({ order: { kind: 'semver', range: '>=3.11.0 <4.0.0' } })).toBe(
      'newest matching semver >=3.11.0 <4.0.0',
    );
    expect(
      describeTagPolicy({
        order: { kind: 'numerical', direction: 'asc' },
        pattern: '^main-(?P<ts>[0-9]+)$',
        extract: '$ts',
      }),
    ).toBe('highest numerical of tags matching ^main-(?P<ts>[0-9]+)$ by $ts');
    expect(describeTagPolicy({ order: { kind: 'alphabetical', direction: 'desc' } })).toBe('first alphabetical');
  });

  it.each([
    ['an unknown kind', { [policy]: 'newest-build' }, policy, 'unknown policy "newest-build"'],
    ['a kind in capitals', { [policy]: 'SemVer: 1.x' }, policy, 'unknown policy'],
    ['a semver without range', { [policy]: 'semver:' }, policy, 'needs a range'],
    ['a malformed range', { [policy]: 'semver: >=x.y.z <4' }, policy, 'not a valid semver range'],
    ['a range that is prose', { [policy]: 'semver: newest please' }, policy, 'not a valid semver range'],
    ['an overlong range', { [policy]: `semver: ${'>=1.0.0 '.repeat(40)}` }, policy, 'at most 256'],
    ['a bad order', { [policy]: 'numerical: up' }, policy, '"asc" or "desc"'],
    ['a missing order', { [policy]: 'alphabetical' }, policy, '"asc" or "desc"'],
    ['a malformed regex', { [policy]: 'numerical: asc', [filter]: '^(main' }, filter, 'missing closing )'],
    ['a backreference', { [policy]: 'numerical: asc', [filter]: '(a)\\1' }, filter, 'not a valid RE2'],
    ['a lookahead', { [policy]: 'numerical: asc', [filter]: '^(?=main)' }, filter, 'not a valid RE2'],
    ['an empty regex', { [policy]: 'numerical: asc', [filter]: '' }, filter, 'must not be empty'],
    ['an overlong regex', { [policy]: 'numerical: asc', [filter]: 'a'.repeat(513) }, filter, 'at most 512'],
    [
      'a template naming no group',
      { [policy]: 'numerical: asc', [filter]: '(?P<ts>\\d+)', [extract]: '$t' },
      extract,
      'does not have: t',
    ],
    [
      'a template group out of range',
      { [policy]: 'numerical: asc', [filter]: '(\\d+)', [extract]: '$2' },
      extract,
      'does not have: 2',
    ],
    ['a dangling dollar', { [policy]: 'numerical: asc', [filter]: '(\\d+)', [extract]: '$1$' }, extract, 'must start'],
    ['an unclosed brace', { [policy]: 'numerical: asc', [filter]: '(\\d+)', [extract]: '${1' }, extract, 'must start'],
    ['a template without pattern', { [policy]: 'numerical: asc', [extract]: '$1' }, extract, 'needs a filter-tags'],
    ['a filter without policy', { [filter]: '^v' }, filter, 'has no effect without'],
    ['an extract without policy', { [extract]: '$1' }, extract, 'has no effect without'],
  ])('refuses %s, naming the annotation', (_what, annotations, annotation, message) => {
    let thrown: unknown;
    try {
      parseTagPolicy(annotations);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TagPolicyError);
    expect((thrown as TagPolicyError).annotation).toBe(annotation);
    expect((thrown as TagPolicyError).detail).toContain(message);
  });

  it('accepts every template reference form', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: filter-extract templates, not JavaScript
    for (const template of ['$ts', '${ts}', '$1', '${1}', '$0', 'v$1.$2', '$$$1', 'build-${ts}x']) {
      expect(
        parseTagPolicy({ [policy]: 'alphabetical: asc', [filter]: '(?P<ts>\\d+)\\.(\\d+)', [extract]: template }),
      ).toBeDefined();
    }
  });
});

describe('policy validation of spec tags', () => {
  it('accepts the issue example', () => {
    expect(causesOf(repoTag({ [policy]: 'semver: >=3.11.0 <4.0.0' }))).toEqual([]);
    expect(
      causesOf(
        repoTag(
          { [policy]: 'numerical: asc', [filter]: '^main-[a-f0-9]+-(?P<ts>[0-9]+)$', [extract]: '$ts' },
          'ghcr.io/acme/api',
        ),
      ),
    ).toEqual([]);
  });

  it('names the annotation in the cause of a malformed policy', () => {
    expect(causesOf(repoTag({ [policy]: 'semver: >=banana' }))).toEqual([
      {
        field: 'spec.tags[0].annotations[imagestreams.dev/policy]',
        message: 'not a valid semver range: ">=banana"',
      },
    ]);
    expect(causesOf(repoTag({ [policy]: 'numerical: asc', [filter]: '[' }))[0]?.field).toBe(
      'spec.tags[0].annotations[imagestreams.dev/filter-tags]',
    );
  });

  it.each([
    ['a DockerImage with a tag', { kind: 'DockerImage', name: 'python:3.12' }],
    ['a DockerImage with a digest', { kind: 'DockerImage', name: `python@sha256:${'a'.repeat(64)}` }],
    ['an ImageStreamTag', { kind: 'ImageStreamTag', name: 'other:3' }],
    ['an ImageStreamImage', { kind: 'ImageStreamImage', name: `other@sha256:${'a'.repeat(64)}` }],
    ['no source', undefined],
  ])('refuses a policy on %s', (_what, from) => {
    const tag: Record<string, unknown> = { name: '3', annotations: { [policy]: 'semver: 3.x' } };
    if (from) tag.from = from;
    const causes = causesOf(tag);
    expect(causes).toContainEqual({
      field: 'spec.tags[0].annotations[imagestreams.dev/policy]',
      message: expect.stringContaining('a policy follows a repository'),
    });
  });
});
