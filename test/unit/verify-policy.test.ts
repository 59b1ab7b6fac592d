import { describe, expect, it } from 'vitest';
import { InvalidError } from '../../core/errors.ts';
import { parseVerifyPolicy } from '../../core/signatures/verify-policy.ts';
import { imageStreamSchema, parseBody } from '../../core/streams/schemas.ts';
import { validateImageStream } from '../../core/streams/validate.ts';

function causesOf(annotations: Record<string, string>, from = { kind: 'DockerImage', name: 'quay.io/acme/base:9' }) {
  const parsed = parseBody(imageStreamSchema, {
    metadata: { name: 'base' },
    spec: { tags: [{ name: 'prod', from, annotations }] },
  });
  if ('causes' in parsed) throw new Error('schema');
  try {
    validateImageStream(parsed.value, 'demo');
    return [];
  } catch (error) {
    if (!(error instanceof InvalidError)) throw error;
    return error.causes.map(({ field, message }) => ({ field, message }));
  }
}

const field = (key: string) => `spec.tags[0].annotations[${key}]`;

describe('imagestreams.dev/verify annotations', () => {
  it('accepts the two shapes of the issue', () => {
    expect(causesOf({ 'imagestreams.dev/verify': 'key', 'imagestreams.dev/verify-key': 'secret/cosign-pub' })).toEqual(
      [],
    );
    const keyless = {
      'imagestreams.dev/verify': 'keyless',
      'imagestreams.dev/verify-identity': 'https://github.com/acme/api/.github/workflows/release.yml@refs/heads/main',
      'imagestreams.dev/verify-issuer': 'https://token.actions.githubusercontent.com',
    };
    expect(causesOf(keyless)).toEqual([]);
    expect(parseVerifyPolicy(keyless)).toEqual({
      mode: 'keyless',
      identity: { exact: keyless['imagestreams.dev/verify-identity'] },
      issuer: { exact: 'https://token.actions.githubusercontent.com' },
    });
    expect(
      parseVerifyPolicy({
        'imagestreams.dev/verify': 'keyless',
        'imagestreams.dev/verify-identity-regexp': '^https://github.com/acme/.*$',
        'imagestreams.dev/verify-issuer': 'https://accounts.google.com',
      }),
    ).toEqual({
      mode: 'keyless',
      identity: { regExp: '^https://github.com/acme/.*$' },
      issuer: { exact: 'https://accounts.google.com' },
    });
  });

  it('names the annotation at fault in a 422 cause', () => {
    expect(causesOf({ 'imagestreams.dev/verify': 'gpg' })).toEqual([
      { field: field('imagestreams.dev/verify'), message: 'must be "key" or "keyless", not "gpg"' },
    ]);
    expect(causesOf({ 'imagestreams.dev/verify': 'key' })[0]?.field).toBe(field('imagestreams.dev/verify-key'));
    expect(causesOf({ 'imagestreams.dev/verify': 'key', 'imagestreams.dev/verify-key': 'cosign-pub' })[0]?.field).toBe(
      field('imagestreams.dev/verify-key'),
    );
    expect(causesOf({ 'imagestreams.dev/verify-key': 'secret/x' })[0]?.field).toBe(
      field('imagestreams.dev/verify-key'),
    );
    expect(
      causesOf({ 'imagestreams.dev/verify': 'keyless', 'imagestreams.dev/verify-issuer': 'https://x' })[0]?.field,
    ).toBe(field('imagestreams.dev/verify-identity'));
    expect(
      causesOf({
        'imagestreams.dev/verify': 'keyless',
        'imagestreams.dev/verify-identity': 'a@b',
        'imagestreams.dev/verify-issuer-regexp': '(unclosed',
      })[0]?.field,
    ).toBe(field('imagestreams.dev/verify-issuer-regexp'));
    expect(
      causesOf({
        'imagestreams.dev/verify': 'keyless',
        'imagestreams.dev/verify-identity': 'a@b',
        'imagestreams.dev/verify-identity-regexp': 'a@.*',
        'imagestreams.dev/verify-issuer': 'https://x',
      })[0]?.field,
    ).toBe(field('imagestreams.dev/verify-identity-regexp'));
    expect(
      causesOf(
        { 'imagestreams.dev/verify': 'key', 'imagestreams.dev/verify-key': 'secret/k' },
        { kind: 'ImageStreamTag', name: 'other:1' },
      )[0]?.field,
    ).toBe(field('imagestreams.dev/verify'));
  });
});
