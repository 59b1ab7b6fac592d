import { describe, expect, it } from 'vitest';
import { buildTable, parseIncludeObject } from '../../core/kube/build-table.ts';
import { InvalidQueryParameterError } from '../../core/kube/errors.ts';
import { negotiateListFormat } from '../../core/kube/negotiate-list-format.ts';
import { imageStreamColumns, imageStreamTagColumns, imageTriggerColumns } from '../../core/kube/table-columns.ts';
import { watchEventLine } from '../../core/kube/watch-event-line.ts';
import type { ImageStream, ImageStreamTag } from '../../core/streams/types.ts';
import type { ImageTrigger } from '../../core/triggers/types.ts';

const now = new Date('2026-11-27T12:00:00Z');
const event = (created: string) => ({ created, dockerImageReference: 'r@sha256:1', image: 'sha256:1', generation: 1 });
const metadata = {
  name: 'python',
  namespace: 'demo',
  uid: 'u1',
  resourceVersion: '7',
  creationTimestamp: '2026-11-01T00:00:00Z',
  labels: { app: 'web' },
};

function stream(tags: [string, string | undefined][], extra: Partial<ImageStream['status']> = {}): ImageStream {
  return {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata,
    spec: { lookupPolicy: { local: false }, tags: [] },
    status: {
      dockerImageRepository: 'registry.local/demo/python',
      tags: tags.map(([tag, created]) => ({ tag, items: created ? [event(created)] : [] })),
      ...extra,
    },
  };
}

describe('imageStreamColumns', () => {
  it('prints NAME, IMAGE REPOSITORY, TAGS (newest first) and UPDATED as oc does', () => {
    const table = buildTable({
      columns: imageStreamColumns,
      objects: [
        stream([
          ['3.11', '2026-11-27T08:00:00Z'],
          ['latest', '2026-11-27T10:00:00Z'],
          ['3.12', '2026-11-27T10:00:00Z'],
          ['empty', undefined],
        ]),
      ],
      now,
      metadata: { resourceVersion: '9', continue: '' },
    });
    expect(table.columnDefinitions.map((column) => [column.name, column.type, column.format, column.priority])).toEqual(
      [
        ['Name', 'string', 'name', 0],
        ['Image Repository', 'string', '', 0],
        ['Tags', 'string', '', 0],
        ['Updated', 'string', '', 0],
      ],
    );
    expect(table.rows[0]?.cells).toEqual([
      'python',
      'registry.local/demo/python',
      '3.12,latest,3.11,empty',
      '2 hours ago',
    ]);
    expect(table.rows[0]?.object).toEqual({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata });
    expect(table).toMatchObject({
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { resourceVersion: '9', continue: '' },
    });
  });

  it('prefers the public repository, and prints no UPDATED without history', () => {
    const table = buildTable({
      columns: imageStreamColumns,
      objects: [stream([], { publicDockerImageRepository: 'quay.io/x/python' } as never)],
      now,
    });
    expect(table.rows[0]?.cells).toEqual(['python', 'quay.io/x/python', '', '']);
  });

  it('cuts the tag list at about 40 characters and says how many more', () => {
    const tags: [string, string][] = Array.from({ length: 12 }, (_, i) => [
      `tag-number-${String(i).padStart(2, '0')}`,
      '2026-11-27T10:00:00Z',
    ]);
    // 13 characters and a comma each: two fill 28 of 40; the third ends at 42, within the 25 % allowance.
    expect(buildTable({ columns: imageStreamColumns, objects: [stream(tags)], now }).rows[0]?.cells[2]).toBe(
      'tag-number-00,tag-number-01,tag-number-02 + 9 more...',
    );
    const long: [string, string][] = [
      ['a'.repeat(50), '2026-11-27T10:00:00Z'],
      ['b', '2026-11-27T09:00:00Z'],
    ];
    expect(buildTable({ columns: imageStreamColumns, objects: [stream(long)], now }).rows[0]?.cells[2]).toBe(
      `${'a'.repeat(50)} + 1 more...`,
    );
  });
});

describe('buildTable', () => {
  const tag: ImageStreamTag = {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStreamTag',
    metadata: { ...metadata, name: 'python:3.12', creationTimestamp: '2026-11-27T11:59:00Z' },
    tag: null,
    generation: 1,
    lookupPolicy: { local: false },
    image: { metadata: { name: 'sha256:abc' }, dockerImageReference: 'quay.io/x/python@sha256:abc' },
  };

  it('prints imagestreamtags with the wide IMAGE NAME column, and the whole object on request', () => {
    const table = buildTable({ columns: imageStreamTagColumns, objects: [tag], now, includeObject: 'Object' });
    expect(table.rows[0]).toEqual({
      cells: ['python:3.12', 'quay.io/x/python@sha256:abc', 'About a minute ago', 'sha256:abc'],
      object: tag,
    });
    expect(table.columnDefinitions[3]?.priority).toBe(1);
    expect(
      buildTable({ columns: imageStreamTagColumns, objects: [tag], now, includeObject: 'None' }).rows[0],
    ).not.toHaveProperty('object');
    expect(
      buildTable({ columns: imageStreamTagColumns, objects: [tag], now, withColumnDefinitions: false })
        .columnDefinitions,
    ).toEqual([]);
  });

  it('prints imagetriggers with their source and last image', () => {
    const trigger: ImageTrigger = {
      apiVersion: 'imagestreams.dev/v1',
      kind: 'ImageTrigger',
      metadata: {
        name: 'rebuild',
        namespace: 'demo',
        uid: 'u',
        resourceVersion: '1',
        creationTimestamp: '2026-11-01T00:00:00Z',
      },
      spec: {
        from: { kind: 'ImageStreamTag', name: 'python:3.12', namespace: 'demo' },
        paused: false,
        fireOnCreate: true,
        target: { webhook: { url: 'https://ci' } },
      },
      status: { attempts: 1, lastTriggeredImage: 'sha256:abc', lastTriggeredAt: '2026-11-27T11:00:00Z' },
    };
    expect(buildTable({ columns: imageTriggerColumns, objects: [trigger], now }).rows[0]?.cells).toEqual([
      'rebuild',
      'demo/python:3.12',
      'webhook',
      'sha256:abc',
      'About an hour ago',
      false,
    ]);
  });

  it('reads includeObject, refusing unknown values', () => {
    expect(parseIncludeObject(undefined)).toBe('Metadata');
    expect(parseIncludeObject('Object')).toBe('Object');
    expect(() => parseIncludeObject('All')).toThrow(InvalidQueryParameterError);
  });
});

describe('negotiateListFormat', () => {
  it('answers a Table to kubectl get and JSON to -o yaml, curl and protobuf-first clients', () => {
    const kubectlTable =
      'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
    expect(negotiateListFormat(kubectlTable)).toBe('table');
    expect(negotiateListFormat('application/json; g=meta.k8s.io; as=Table; v=v1')).toBe('table');
    expect(negotiateListFormat('application/json')).toBe('json');
    expect(negotiateListFormat(undefined)).toBe('json');
    expect(negotiateListFormat('*/*')).toBe('json');
    expect(negotiateListFormat('application/vnd.kubernetes.protobuf,application/json')).toBe('json');
    expect(negotiateListFormat('application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json')).toBe('json');
    expect(negotiateListFormat('application/json;as=Table;v=v1;g=meta.k8s.io;q=0.5,application/json')).toBe('json');
  });

  it('finds nothing acceptable when only unproduced types are listed', () => {
    expect(negotiateListFormat('application/vnd.kubernetes.protobuf')).toBe('not-acceptable');
    expect(negotiateListFormat('application/json;as=Table;v=v1beta1;g=meta.k8s.io')).toBe('not-acceptable');
    expect(negotiateListFormat('text/html')).toBe('not-acceptable');
  });
});

describe('watchEventLine', () => {
  it('writes one WatchEvent per line', () => {
    expect(watchEventLine('ADDED', { kind: 'ImageStream' })).toBe('{"type":"ADDED","object":{"kind":"ImageStream"}}\n');
  });
});
