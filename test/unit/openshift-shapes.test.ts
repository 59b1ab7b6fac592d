import { describe, expect, it } from 'vitest';
import { toImageStream, toImageStreamTag } from '../../core/streams/objects.ts';
import type { StreamRecord, TagRecord } from '../../core/streams/types.ts';

// Shapes as openshift-apiserver serialises them (openshift/api image/v1 types.go; imagestreamtag/rest.go newISTag).

const stream: StreamRecord = {
  namespace: 'demo',
  name: 'app',
  uid: 'u-1',
  creationTimestamp: '2025-05-01T08:00:00Z',
  labels: { app: 'web' },
  annotations: {},
  lookupLocal: false,
  dockerImageRepository: '',
  generation: 3,
  version: 7,
};
const tag: TagRecord = {
  name: 'v1',
  spec: {
    name: 'v1',
    from: { kind: 'ImageStreamTag', name: 'base:1', namespace: 'lib' },
    referencePolicy: { type: 'Source' },
  },
  items: [
    {
      created: '2025-05-01T09:00:00Z',
      dockerImageReference: 'quay.io/x/base@sha256:aaaa',
      image: 'sha256:aaaa',
      generation: 3,
    },
  ],
  conditions: [],
  version: 2,
};

describe('ImageStream and ImageStreamTag shapes', () => {
  it('serialises empty spec tag annotations as null and defaults importMode on every spec tag', () => {
    const [spec] = toImageStream({ stream, tags: [tag] }).spec.tags;
    expect(spec).toEqual({
      name: 'v1',
      annotations: null,
      from: { kind: 'ImageStreamTag', name: 'base:1', namespace: 'lib' },
      importPolicy: { importMode: 'PreserveOriginal' },
      referencePolicy: { type: 'Source' },
    });
  });

  it('gives an ImageStreamTag the stream’s labels', () => {
    const istag = toImageStreamTag(stream, tag, undefined);
    expect(istag.metadata.labels).toEqual({ app: 'web' });
    expect(istag.tag).toMatchObject({ annotations: null, importPolicy: { importMode: 'PreserveOriginal' } });
  });
});
