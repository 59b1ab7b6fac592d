import { describe, expect, it } from 'vitest';
import { tagHead } from '../../core/streams/tag-head.ts';
import type { StreamState, TagEvent, TagRecord, TagReference } from '../../core/streams/types.ts';
import { streamRecord } from '../support/stream-record.ts';

const a = `sha256:${'a'.repeat(64)}`;
const b = `sha256:${'b'.repeat(64)}`;
const c = `sha256:${'c'.repeat(64)}`;

const event = (image: string, created = '2026-01-01T00:00:00Z'): TagEvent => ({
  created,
  dockerImageReference: `registry.example.com/demo/app@${image}`,
  image,
  generation: 1,
});
const tag = (name: string, spec: TagReference | null, ...items: TagEvent[]): TagRecord => ({
  name,
  spec,
  items,
  conditions: [],
  version: 1,
});
const aliasOf = (name: string, target: string): TagReference => ({
  name,
  from: { kind: 'ImageStreamTag', name: `app:${target}` },
});
const state = (...tags: TagRecord[]): StreamState => ({
  stream: streamRecord({ name: 'app' }),
  tags,
});

describe('tagHead', () => {
  it('answers the newest entry of the named tag', () => {
    const head = tagHead(state(tag('v1', null, event(b), event(a)), tag('v2', null, event(c))), 'v1', 10);
    expect(head).toEqual(event(b));
  });

  it('answers an alias with its target image when the alias was written before the target moved', () => {
    // latest still holds a; its target v1 has moved on to b since.
    const stream = state(tag('v1', null, event(b), event(a)), tag('latest', aliasOf('latest', 'v1'), event(a)));
    expect(tagHead(stream, 'latest', 10)?.image).toBe(b);
  });

  it('follows a chain of aliases', () => {
    const stream = state(
      tag('v1', null, event(c)),
      tag('stable', aliasOf('stable', 'v1')),
      tag('latest', aliasOf('latest', 'stable')),
    );
    expect(tagHead(stream, 'latest', 10)?.image).toBe(c);
  });

  it('answers nothing for a tag with no image yet, an alias of one, or no such tag', () => {
    const stream = state(tag('pending', { name: 'pending' }), tag('latest', aliasOf('latest', 'pending')));
    expect(tagHead(stream, 'pending', 10)).toBeUndefined();
    expect(tagHead(stream, 'latest', 10)).toBeUndefined();
    expect(tagHead(stream, 'missing', 10)).toBeUndefined();
  });
});
