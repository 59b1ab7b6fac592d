import { describe, expect, it } from 'vitest';
import { InvalidError } from '../../core/errors.ts';
import { imageStreamSchema, parseBody } from '../../core/streams/schemas.ts';
import { validateImageStream } from '../../core/streams/validate.ts';

function causesOf(body: unknown): { field: string; message: string }[] {
  const parsed = parseBody(imageStreamSchema, body);
  if ('causes' in parsed) return parsed.causes.map(({ field, message }) => ({ field, message }));
  try {
    validateImageStream(parsed.value, 'demo');
    return [];
  } catch (error) {
    if (!(error instanceof InvalidError)) throw error;
    return error.causes.map(({ field, message }) => ({ field, message }));
  }
}

const stream = (tags: unknown[], extra: Record<string, unknown> = {}) => ({
  metadata: { name: 'python', ...extra },
  spec: { tags },
});

describe('ImageStream validation', () => {
  it('accepts an OpenShift manifest and applies server defaults', () => {
    const parsed = parseBody(imageStreamSchema, {
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStream',
      metadata: {
        name: 'python',
        annotations: { 'openshift.io/display-name': 'Python' },
        uid: 'ignored',
        managedFields: [],
      },
      spec: {
        lookupPolicy: { local: true },
        tags: [{ name: '3.12', from: { kind: 'DockerImage', name: 'python:3.12' }, importPolicy: { scheduled: true } }],
      },
      status: { dockerImageRepository: 'ignored' },
    });
    if (!('value' in parsed)) throw new Error(JSON.stringify(parsed.causes));
    const write = validateImageStream(parsed.value, 'demo');
    expect(write.lookupLocal).toBe(true);
    expect(write.tags).toEqual([
      {
        name: '3.12',
        from: { kind: 'DockerImage', name: 'python:3.12' },
        importPolicy: { scheduled: true, importMode: 'PreserveOriginal' },
        referencePolicy: { type: 'Source' },
      },
    ]);
  });

  it.each([
    ['a missing name', { metadata: {} }, 'metadata.name', 'name or generateName is required'],
    ['a wrong kind', { kind: 'Pod', metadata: { name: 'x' } }, 'kind', 'must be "ImageStream"'],
    ['a bad stream name', { metadata: { name: 'Py' } }, 'metadata.name', 'must match'],
    ['an unknown spec field', { metadata: { name: 'x' }, spec: { tagz: [] } }, 'spec.tagz', 'unknown field'],
    ['a typo in a tag', stream([{ name: 'a', refrence: true }]), 'spec.tags[0].refrence', 'unknown field'],
    [
      'a field of the wrong type',
      stream([{ name: 'a', reference: 'yes' }]),
      'spec.tags[0].reference',
      'expected boolean',
    ],
    ['a bad tag name', stream([{ name: '-a' }]), 'spec.tags[0].name', 'tags must start with'],
    [
      'a bad source kind',
      stream([{ name: 'a', from: { kind: 'Pod', name: 'x' } }]),
      'spec.tags[0].from.kind',
      "valid values are 'DockerImage'",
    ],
    [
      'a bad pull spec',
      stream([{ name: 'a', from: { kind: 'DockerImage', name: 'quay.io/a b' } }]),
      'spec.tags[0].from.name',
      'invalid reference format',
    ],
    [
      'an empty source name',
      stream([{ name: 'a', from: { kind: 'DockerImage', name: '' } }]),
      'spec.tags[0].from.name',
      'Required value',
    ],
    [
      'a scheduled stream source',
      stream([{ name: 'a', from: { kind: 'ImageStreamTag', name: 'b' }, importPolicy: { scheduled: true } }]),
      'spec.tags[0].importPolicy.scheduled',
      'only tags pointing to Docker repositories',
    ],
    [
      'a malformed ImageStreamTag source',
      stream([{ name: 'a', from: { kind: 'ImageStreamTag', name: 'x:y:z' } }]),
      'spec.tags[0].from.name',
      'must be of the form',
    ],
    [
      'a malformed image id',
      stream([{ name: 'a', from: { kind: 'ImageStreamImage', name: 'python@zzz' } }]),
      'spec.tags[0].from.name',
      'must name an image',
    ],
    [
      'a tag tracking itself',
      stream([{ name: 'a', from: { kind: 'ImageStreamTag', name: 'a' } }]),
      'spec.tags[0].from.name',
      'may not track itself',
    ],
    ['a duplicate tag', stream([{ name: 'a' }, { name: 'a' }]), 'spec.tags[1].name', 'Duplicate value'],
    [
      'a bad import mode',
      stream([{ name: 'a', importPolicy: { importMode: 'Fast' } }]),
      'spec.tags[0].importPolicy.importMode',
      'invalid import mode',
    ],
    [
      'a bad reference policy',
      stream([{ name: 'a', referencePolicy: { type: 'Remote' } }]),
      'spec.tags[0].referencePolicy.type',
      'valid values are "Source", "Local"',
    ],
    ['a negative generation', stream([{ name: 'a', generation: -1 }]), 'spec.tags[0].generation', ''],
    [
      'a bad label key',
      { metadata: { name: 'x', labels: { 'a b': 'c' } } },
      'metadata.labels["a b"]',
      'qualified name',
    ],
    [
      'a bad source namespace',
      stream([{ name: 'a', from: { kind: 'ImageStreamTag', name: 'x:y', namespace: 'Other' } }]),
      'spec.tags[0].from.namespace',
      'RFC 1123',
    ],
    [
      'a repository with a tag',
      { metadata: { name: 'x' }, spec: { dockerImageRepository: 'quay.io/a/b:1' } },
      'spec.dockerImageRepository',
      'may not contain a tag',
    ],
  ])('names the field for %s', (_what, body, field, message) => {
    const causes = causesOf(body);
    expect(causes.map((c) => c.field)).toContain(field);
    expect(causes.find((c) => c.field === field)?.message).toContain(message);
  });

  it('refuses a body that is not an object', () => {
    expect(causesOf(['x'])[0]?.field).toBe('<body>');
    expect(causesOf(null)[0]?.field).toBe('<body>');
  });
});
