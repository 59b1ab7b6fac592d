import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiUnderTest, startApi } from '../support/api-under-test.ts';

let api: ApiUnderTest;
beforeAll(async () => {
  // Imports are left to the scheduled pass here: these tests are about the stream API itself.
  api = await startApi({ IMAGESTREAMS_IMPORT_TIMEOUT_MS: '0' });
  await api.call('POST', '/apis/image.openshift.io/v1/namespaces/demo/imagestreams', {
    body: {
      metadata: { name: 'python' },
      spec: { tags: [{ name: 'latest', reference: true, from: { kind: 'DockerImage', name: 'python:3' } }] },
    },
  });
});
afterAll(async () => {
  await api.close();
});

const tagReference = fc.record(
  {
    name: fc.oneof(fc.constant('latest'), fc.string()),
    from: fc.record(
      {
        kind: fc.constantFrom('DockerImage', 'ImageStreamTag', 'ImageStreamImage', 'Other'),
        name: fc.oneof(fc.string(), fc.constantFrom('python:latest', 'python@sha256:aa', 'quay.io/a/b:1')),
        namespace: fc.option(fc.string(), { nil: undefined }),
      },
      { requiredKeys: [] },
    ),
    reference: fc.oneof(fc.boolean(), fc.string()),
    generation: fc.oneof(fc.integer(), fc.constant(null), fc.double()),
    importPolicy: fc.anything(),
    referencePolicy: fc.anything(),
    annotations: fc.oneof(fc.dictionary(fc.string(), fc.string()), fc.anything()),
  },
  { requiredKeys: [] },
);

describe('no input makes the API answer 5xx', () => {
  it('for arbitrary ImageStreamTag bodies and names', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constant('python:latest'), fc.string({ maxLength: 20 })),
        fc.oneof(fc.record({ tag: tagReference, metadata: fc.anything() }, { requiredKeys: [] }), fc.anything()),
        async (name, body) => {
          const response = await api.call(
            'PUT',
            `/apis/image.openshift.io/v1/namespaces/demo/imagestreamtags/${encodeURIComponent(name)}`,
            {
              body,
            },
          );
          expect(response.status, response.text).toBeLessThan(500);
          expect(response.json).toBeTypeOf('object');
        },
      ),
      { numRuns: 150 },
    );
  });

  it('for arbitrary ImageStream bodies', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record(
            {
              metadata: fc.record({ name: fc.string(), labels: fc.anything() }, { requiredKeys: [] }),
              spec: fc.record({ tags: fc.array(tagReference, { maxLength: 3 }) }, { requiredKeys: [] }),
            },
            { requiredKeys: [] },
          ),
          fc.anything(),
        ),
        async (body) => {
          const response = await api.call('POST', '/apis/image.openshift.io/v1/namespaces/demo/imagestreams', { body });
          expect(response.status, response.text).toBeLessThan(500);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('for arbitrary raw paths', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('imagestreams', 'imagestreamtags', 'imagestreamimages'),
        fc.string({ maxLength: 30 }),
        async (collection, raw) => {
          const path = `/apis/image.openshift.io/v1/namespaces/demo/${collection}/${raw.replace(/[/?#]/g, '%2F').replace(/%(?![0-9A-Fa-f]{2})/g, '%25')}`;
          const response = await api.call('GET', path);
          expect(response.status, `${path}: ${response.text}`).toBeLessThan(500);
        },
      ),
      { numRuns: 150 },
    );
  });
});
