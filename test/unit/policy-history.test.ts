import { describe, expect, it } from 'vitest';
import { describeImageStream } from '../../core/describe/describe-image-stream.ts';
import { tagChangedEvent } from '../../core/events/bus-events.ts';
import { sourceTagOf } from '../../core/policy/source-tag.ts';
import type { StreamState, TagRecord } from '../../core/streams/types.ts';
import { streamRecord } from '../support/stream-record.ts';

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const now = new Date('2026-11-27T10:00:00Z');

const policyTag: TagRecord = {
  name: '3',
  spec: {
    name: '3',
    from: { kind: 'DockerImage', name: 'docker.io/library/python' },
    importPolicy: { scheduled: true, importMode: 'PreserveOriginal' },
    referencePolicy: { type: 'Source' },
    annotations: { 'imagestreams.dev/policy': 'semver: >=3.11.0 <4.0.0' },
    generation: 2,
  },
  items: [
    {
      created: '2026-11-27T09:00:00Z',
      dockerImageReference: `docker.io/library/python:3.12.7@${digest('b')}`,
      image: digest('b'),
      generation: 2,
      actor: 'scheduler',
    },
    {
      created: '2026-11-26T09:00:00Z',
      dockerImageReference: `docker.io/library/python:3.12.6@${digest('a')}`,
      image: digest('a'),
      generation: 2,
      actor: 'scheduler',
    },
  ],
  conditions: [],
  version: 3,
};

const state: StreamState = {
  stream: streamRecord({ name: 'python', uid: 'u1', generation: 2, creationTimestamp: '2026-11-27T08:00:00Z' }),
  tags: [policyTag],
};

describe('policy tag history', () => {
  it('reads the source tag back from each entry of a policy tag', () => {
    expect(policyTag.items.map((item) => sourceTagOf(policyTag.spec, item))).toEqual(['3.12.7', '3.12.6']);
    // A tag without a policy has no source tag, even with a tag in its pull spec.
    expect(sourceTagOf({ name: 'x' }, policyTag.items[0])).toBeUndefined();
    expect(
      sourceTagOf(policyTag.spec, {
        ...(policyTag.items[0] as TagRecord['items'][0]),
        dockerImageReference: `python@${digest('c')}`,
      }),
    ).toBeUndefined();
  });

  it('describe shows the policy and the tag it chose, and the history shows each source tag', () => {
    const text = describeImageStream(state, now);
    expect(text).toContain('\n    newest matching semver >=3.11.0 <4.0.0: 3.12.7\n');
    expect(text).toContain(`  * docker.io/library/python:3.12.7@${digest('b')}\n`);
    expect(text).toContain(`    docker.io/library/python:3.12.6@${digest('a')}\n`);
  });

  it('describe says <none> before the policy chose anything', () => {
    const text = describeImageStream({ ...state, tags: [{ ...policyTag, items: [] }] }, now);
    expect(text).toContain('newest matching semver >=3.11.0 <4.0.0: <none>');
  });

  it('the ImageStreamTag Changed detail names the source tag', () => {
    const event = tagChangedEvent(state.stream, {
      ...policyTag,
      unpublished: { previous: null, cause: 'scheduled-import', actor: 'scheduler', changedAt: now.toISOString() },
    });
    expect(event.detail).toMatchObject({ tag: '3', sourceTag: '3.12.7', image: digest('b') });
  });
});
