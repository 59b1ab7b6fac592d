import { describe, expect, it } from 'vitest';
import {
  isPendingImport,
  isReferenceChange,
  isSpecChange,
  observedGeneration,
} from '../../core/streams/generations.ts';
import type { TagReference } from '../../core/streams/types.ts';

const docker = (name: string, extra: Partial<TagReference> = {}): TagReference => ({
  name: 't',
  from: { kind: 'DockerImage', name },
  generation: 2,
  ...extra,
});

describe('observedGeneration and isPendingImport', () => {
  it('takes the larger of the head generation and the import failure generation', () => {
    const condition = {
      type: 'ImportSuccess' as const,
      status: 'False' as const,
      lastTransitionTime: '',
      generation: 4,
    };
    expect(
      observedGeneration({
        items: [{ created: '', dockerImageReference: 'x', image: '', generation: 2 }],
        conditions: [condition],
      }),
    ).toBe(4);
    expect(observedGeneration({ items: [], conditions: [] })).toBe(0);
  });

  it('marks a DockerImage tag pending until its status reaches the spec generation', () => {
    expect(isPendingImport({ spec: docker('r:1'), items: [], conditions: [] })).toBe(true);
    expect(
      isPendingImport({
        spec: docker('r:1'),
        items: [{ created: '', dockerImageReference: 'r@x', image: 'x', generation: 2 }],
        conditions: [],
      }),
    ).toBe(false);
  });

  it('never marks reference tags, stream sources or status-only tags pending', () => {
    expect(isPendingImport({ spec: docker('r:1', { reference: true }), items: [], conditions: [] })).toBe(false);
    expect(
      isPendingImport({
        spec: { name: 't', from: { kind: 'ImageStreamTag', name: 'x' }, generation: 5 },
        items: [],
        conditions: [],
      }),
    ).toBe(false);
    expect(isPendingImport({ spec: null, items: [], conditions: [] })).toBe(false);
  });
});

describe('isReferenceChange', () => {
  it('is true for a new source, reference flag, import mode, namespace or a generation reset to 0', () => {
    const old = docker('r:1');
    expect(isReferenceChange(undefined, old, 'demo')).toBe(true);
    expect(isReferenceChange(old, docker('r:2'), 'demo')).toBe(true);
    expect(isReferenceChange(old, docker('r:1', { reference: true }), 'demo')).toBe(true);
    expect(isReferenceChange(old, docker('r:1', { importPolicy: { importMode: 'Legacy' } }), 'demo')).toBe(true);
    expect(isReferenceChange(old, docker('r:1', { generation: 0 }), 'demo')).toBe(true);
    expect(
      isReferenceChange(old, { ...old, from: { kind: 'DockerImage', name: 'r:1', namespace: 'other' } }, 'demo'),
    ).toBe(true);
  });

  it('is false for scheduling, insecure, reference policy, annotations or the stream namespace spelled out', () => {
    const old = docker('r:1');
    expect(isReferenceChange(old, docker('r:1', { importPolicy: { scheduled: true, insecure: true } }), 'demo')).toBe(
      false,
    );
    expect(
      isReferenceChange(old, docker('r:1', { referencePolicy: { type: 'Local' }, annotations: { a: 'b' } }), 'demo'),
    ).toBe(false);
    expect(
      isReferenceChange(old, { ...old, from: { kind: 'DockerImage', name: 'r:1', namespace: 'demo' } }, 'demo'),
    ).toBe(false);
  });
});

describe('isSpecChange', () => {
  it('ignores the server-managed generation and key order', () => {
    expect(
      isSpecChange(docker('r:1', { generation: 2 }), {
        generation: null,
        from: { name: 'r:1', kind: 'DockerImage' },
        name: 't',
      }),
    ).toBe(false);
    expect(isSpecChange(docker('r:1'), docker('r:1', { importPolicy: { scheduled: true } }))).toBe(true);
    expect(isSpecChange(docker('r:1'), docker('r:1', { generation: 0 }))).toBe(true);
  });
});
