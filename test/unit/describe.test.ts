import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeImage, humanSize } from '../../core/describe/describe-image.ts';
import { describeImageStream } from '../../core/describe/describe-image-stream.ts';
import { humanDuration } from '../../core/describe/human-duration.ts';
import { alignTabs } from '../../core/describe/tab-writer.ts';
import { prioritizeTags } from '../../core/streams/prioritize-tags.ts';
import type { StreamState } from '../../core/streams/types.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
const state = JSON.parse(fixture('python-stream-state.json')) as StreamState;
const now = new Date('2025-05-01T10:00:00Z');

describe('describeImageStream', () => {
  it('prints the oc describe is layout: header, aliases after their target, tags in OpenShift order, errors and history', () => {
    expect(describeImageStream(state, now)).toBe(fixture('python-describe.txt'));
  });

  it('aligns the header with tabs as oc does', () => {
    const text = describeImageStream(state, now);
    expect(text.split('\n').slice(0, 3)).toEqual([
      'Name:\t\t\tpython',
      'Namespace:\t\tdemo',
      'Created:\t\t2 hours ago',
    ]);
    expect(text).toContain('\nImage Repository:\t<none>\n');
  });

  it('prints Tags: <none> and stops for a stream without tags', () => {
    const text = describeImageStream({ ...state, tags: [] }, now);
    expect(text.trimEnd().split('\n').at(-1)).toBe('Tags:\t\t\t<none>');
    expect(text).not.toContain('Unique Images');
  });

  it('moves the description annotation to its own line and lists labels one per line', () => {
    const text = describeImageStream(
      {
        ...state,
        stream: { ...state.stream, labels: { b: '2', a: '1' }, annotations: { description: 'Python images' } },
        tags: [],
      },
      now,
    );
    expect(text).toContain('Labels:\t\t\ta=1\n\t\t\tb=2\nDescription:\t\tPython images\nAnnotations:\t\t<none>\n');
  });

  it('prints a dangling alias on its own and the source namespace when it differs', () => {
    const text = describeImageStream(
      {
        ...state,
        tags: [
          {
            name: 'orphan',
            spec: { name: 'orphan', from: { kind: 'ImageStreamTag', name: 'missing' } },
            items: [],
            conditions: [],
            version: 1,
          },
          {
            name: 'shared',
            spec: {
              name: 'shared',
              reference: true,
              from: { kind: 'ImageStreamTag', name: 'base:1', namespace: 'team-b' },
            },
            items: [],
            conditions: [],
            version: 1,
          },
        ],
      },
      now,
    );
    expect(text).toContain('orphan\n  tagged from missing\n');
    expect(text).toContain('shared\n  reference to team-b/base:1\n');
  });
});

describe('describeImageStream as oc counts and lists (openshift/oc describer.go)', () => {
  const stream = { ...state.stream, labels: {}, annotations: {} };
  const tag = (name: string, spec: Record<string, unknown> | null, items: { image: string; ref: string }[] = []) => ({
    name,
    spec: spec && { name, ...spec },
    items: items.map(({ image, ref }) => ({
      created: '2025-05-01T09:00:00Z',
      dockerImageReference: ref,
      image,
      generation: 1,
    })),
    conditions: [],
    version: 1,
  });

  it('counts history entries without an image id once, as one more unique image', () => {
    const text = describeImageStream(
      {
        stream,
        tags: [
          tag('a', { from: { kind: 'DockerImage', name: 'quay.io/x/a:1' } }, [
            { image: 'sha256:aaaa', ref: 'quay.io/x/a@sha256:aaaa' },
          ]),
          tag('b', { reference: true, from: { kind: 'DockerImage', name: 'quay.io/x/b:1' } }, [
            { image: '', ref: 'quay.io/x/b:1' },
          ]),
          tag('c', { reference: true, from: { kind: 'DockerImage', name: 'quay.io/x/c:1' } }, [
            { image: '', ref: 'quay.io/x/c:1' },
          ]),
        ] as StreamState['tags'],
      },
      now,
    );
    expect(text).toContain('Unique Images:\t\t2\nTags:\t\t\t3\n');
  });

  it('lists a reference: true alias after its target, as any alias', () => {
    const text = describeImageStream(
      {
        stream,
        tags: [
          tag('3.11', { from: { kind: 'DockerImage', name: 'quay.io/x/py:3.11' } }, [
            { image: 'sha256:bbbb', ref: 'quay.io/x/py@sha256:bbbb' },
          ]),
          tag('stable', { reference: true, from: { kind: 'ImageStreamTag', name: '3.11' } }),
        ] as StreamState['tags'],
      },
      now,
    );
    expect(text).toContain('\n3.11 (stable)\n  tagged from quay.io/x/py:3.11\n');
    expect(text).not.toContain('reference to 3.11');
  });

  it('prints ~ importing latest image ... for an alias whose target is not in the status', () => {
    const text = describeImageStream(
      {
        stream,
        tags: [
          tag('next', { from: { kind: 'ImageStreamTag', name: 'missing' }, generation: 2 }),
        ] as StreamState['tags'],
      },
      now,
    );
    expect(text).toContain('\nnext\n  tagged from missing\n\n  ~ importing latest image ...\n');
  });
});

describe('alignTabs', () => {
  it('pads each column to the widest cell of its block, in tabs', () => {
    expect(alignTabs('a:\tx\nlonger label:\ty\n\nb:\tz')).toBe('a:\t\tx\nlonger label:\ty\n\nb:\tz');
  });

  it('aligns a second column within the lines that have it', () => {
    expect(alignTabs('Layers:\t1kB\tsha256:a\n\t123.4MB\tsha256:b')).toBe(
      'Layers:\t1kB\tsha256:a\n\t123.4MB\tsha256:b',
    );
    expect(alignTabs('x\ta-very-long-cell\tz\ny\tb\tz')).toBe('x\ta-very-long-cell\tz\ny\tb\t\t\tz');
  });
});

describe('humanDuration', () => {
  it.each([
    [0, 'Less than a second'],
    [1_000, '1 second'],
    [59_000, '59 seconds'],
    [60_000, 'About a minute'],
    [119_000, 'About a minute'],
    [120_000, '2 minutes'],
    [59 * 60_000, '59 minutes'],
    [60 * 60_000, 'About an hour'],
    [90 * 60_000, '2 hours'],
    [47 * 3_600_000, '47 hours'],
    [48 * 3_600_000, '2 days'],
    [14 * 86_400_000, '2 weeks'],
    [60 * 86_400_000, '2 months'],
    [2 * 365 * 86_400_000, '2 years'],
  ])('%i ms is %s', (ms, text) => expect(humanDuration(ms)).toBe(text));
});

describe('humanSize', () => {
  it.each([
    [0, '0B'],
    [999, '999B'],
    [1_000, '1kB'],
    [251_234_567, '251.2MB'],
    [1_999_999, '2MB'],
  ])('%i bytes is %s', (bytes, text) => expect(humanSize(bytes)).toBe(text));
});

describe('prioritizeTags', () => {
  it('puts latest first, then minor versions, then full versions newest first, then the rest in order', () => {
    expect(
      prioritizeTags(['other', '5.1.3', 'v5.1', 'latest', '5.0', '5.1-rc1', 'abc', '5.2.0', 'v5.1.3', '5.1']),
    ).toEqual(['latest', '5.1', 'v5.1', '5.1-rc1', '5.0', '5.2.0', '5.1.3', 'v5.1.3', 'abc', 'other']);
  });

  it('reads versions semver reads (blanks around, one more `v`) and nothing else as one', () => {
    expect(prioritizeTags(['release', 'vv1.2.3', '=1.2.3', ' 1.2.3', 'v2.0.0', 'x1.0', '1.0'])).toEqual([
      '1.0',
      'v2.0.0',
      ' 1.2.3',
      'vv1.2.3',
      '=1.2.3',
      'release',
      'x1.0',
    ]);
  });
});

describe('describeImage', () => {
  it('prints image metadata, layers and platforms of an imported image', () => {
    const text = describeImage(
      {
        metadata: { name: 'sha256:abc' },
        dockerImageReference: 'quay.io/a/b@sha256:abc',
        dockerImageMetadata: {
          Created: '2025-04-30T10:00:00Z',
          Architecture: 'amd64',
          Size: 3_500_000,
          Config: {
            Cmd: ['python3'],
            Env: ['PATH=/usr/bin', 'LANG=C.UTF-8'],
            ExposedPorts: { '8080/tcp': {} },
            Labels: { vendor: 'x' },
            WorkingDir: '/app',
          },
        },
        dockerImageLayers: [
          { name: 'sha256:l1', size: 3_000_000, mediaType: 'x' },
          { name: 'sha256:l2', size: 500_000, mediaType: 'x' },
        ],
      },
      '2025-05-01T09:00:00Z',
      now,
    );
    expect(text).toContain('Image Size:\t3.5MB in 2 layers\nLayers:\t\t3MB\tsha256:l1\n\t\t500kB\tsha256:l2\n');
    expect(text).toContain('Image Created:\t24 hours ago\n');
    expect(text).toContain('Command:\tpython3\n');
    expect(text).toContain('Exposes Ports:\t8080/tcp\n');
    expect(text).toContain('Environment:\tPATH=/usr/bin\n\t\tLANG=C.UTF-8\n');
  });
});
