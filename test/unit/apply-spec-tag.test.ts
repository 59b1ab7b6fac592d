import { describe, expect, it } from 'vitest';
import { applySpecTag } from '../../core/streams/apply-spec-tag.ts';
import { trackAliases } from '../../core/streams/track-aliases.ts';
import type { StreamState, TagEvent, TagRecord, TagReference } from '../../core/streams/types.ts';
import { streamRecord } from '../support/stream-record.ts';

const a = `sha256:${'a'.repeat(64)}`;
const b = `sha256:${'b'.repeat(64)}`;
const now = '2026-02-01T00:00:00Z';
const ctx = { generation: 5, now, actor: 'user:alice', historyLimit: 100 };

function state(...tags: TagRecord[]): StreamState {
  return {
    stream: streamRecord({ name: 'python', uid: 'u', creationTimestamp: now, generation: 4 }),
    tags,
  };
}
const imported = (name: string, spec: TagReference | null, ...items: TagEvent[]): TagRecord => ({
  name,
  spec,
  items,
  conditions: [],
  version: 1,
});
const ev = (ref: string, image: string, generation = 1): TagEvent => ({
  created: '2026-01-01T00:00:00Z',
  dockerImageReference: ref,
  image,
  generation,
});

describe('applySpecTag', () => {
  it('leaves a new DockerImage tag pending import at the new generation', () => {
    const result = applySpecTag(state(), { name: '3.12', from: { kind: 'DockerImage', name: 'python:3.12' } }, ctx);
    expect(result.changed).toEqual([
      {
        name: '3.12',
        spec: { name: '3.12', from: { kind: 'DockerImage', name: 'python:3.12' }, generation: 5 },
        items: [],
        conditions: [],
        version: 0,
      },
    ]);
    expect(result.event).toBeUndefined();
  });

  it('records a reference tag at once, without an image, naming the actor', () => {
    const result = applySpecTag(
      state(),
      { name: 'r', reference: true, from: { kind: 'DockerImage', name: 'quay.io/a/b:1' } },
      ctx,
    );
    expect(result.event).toEqual({
      created: now,
      dockerImageReference: 'quay.io/a/b:1',
      image: '',
      generation: 5,
      actor: 'user:alice',
    });
  });

  it('copies the source image for a stream source and keeps the previous history', () => {
    const old = imported(
      'prod',
      { name: 'prod', from: { kind: 'ImageStreamImage', name: `python@${a}` }, generation: 2 },
      ev(`q/p@${a}`, a, 2),
    );
    const result = applySpecTag(
      state(old),
      { name: 'prod', from: { kind: 'ImageStreamImage', name: `python@${b}` } },
      { ...ctx, sourceEvent: ev(`q/p@${b}`, b) },
    );
    expect(result.changed[0]?.items.map((i) => i.image)).toEqual([b, a]);
    expect(result.changed[0]?.items[0]).toEqual({
      created: now,
      dockerImageReference: `q/p@${b}`,
      image: b,
      generation: 5,
      actor: 'user:alice',
    });
    expect(result.changed[0]?.version).toBe(1);
  });

  it('keeps the tag generation and history when only scheduling changes', () => {
    const old = imported(
      't',
      { name: 't', from: { kind: 'DockerImage', name: 'p:1' }, generation: 2 },
      ev(`p@${a}`, a, 2),
    );
    const result = applySpecTag(
      state(old),
      { name: 't', from: { kind: 'DockerImage', name: 'p:1' }, importPolicy: { scheduled: true } },
      ctx,
    );
    expect(result.changed[0]?.spec?.generation).toBe(2);
    expect(result.changed[0]?.items).toEqual(old.items);
    expect(result.event).toBeUndefined();
  });

  it('moves every alias of the tag with it, along chains', () => {
    const target = imported(
      'latest',
      { name: 'latest', from: { kind: 'ImageStreamImage', name: `python@${a}` }, generation: 1 },
      ev(`q/p@${a}`, a),
    );
    const alias = imported(
      'stable',
      { name: 'stable', from: { kind: 'ImageStreamTag', name: 'latest' }, generation: 1 },
      ev(`q/p@${a}`, a),
    );
    const chained = imported(
      'prod',
      { name: 'prod', from: { kind: 'ImageStreamTag', name: 'python:stable' }, generation: 1 },
      ev(`q/p@${a}`, a),
    );
    const result = applySpecTag(
      state(target, alias, chained),
      { name: 'latest', from: { kind: 'ImageStreamImage', name: `python@${b}` } },
      { ...ctx, sourceEvent: ev(`q/p@${b}`, b) },
    );
    expect(result.changed.map((t) => [t.name, t.items.map((i) => i.image)])).toEqual([
      ['latest', [b, a]],
      ['stable', [b, a]],
      ['prod', [b, a]],
    ]);
  });

  it('does not follow cross-stream sources after the write (they are snapshots)', () => {
    const snapshot = imported(
      'copy',
      { name: 'copy', from: { kind: 'ImageStreamTag', name: 'other:latest' }, generation: 1 },
      ev(`q/o@${a}`, a),
    );
    const target = imported('latest', null, ev(`q/p@${a}`, a));
    const result = applySpecTag(
      state(snapshot, target),
      { name: 'latest', reference: true, from: { kind: 'DockerImage', name: 'q/p:2' } },
      ctx,
    );
    expect(result.changed.map((t) => t.name)).toEqual(['latest']);
  });
});

describe('trackAliases', () => {
  it('repairs an alias left behind by a failed write, with the target head as it is', () => {
    const target = imported('latest', null, ev(`q/p@${b}`, b, 3), ev(`q/p@${a}`, a));
    const alias = imported(
      'stable',
      { name: 'stable', from: { kind: 'ImageStreamTag', name: 'latest' }, generation: 1 },
      ev(`q/p@${a}`, a),
    );
    const tracked = trackAliases([target, alias], 'demo', 'python', 100);
    expect(tracked.changed).toEqual([{ ...alias, items: [ev(`q/p@${b}`, b, 3), ev(`q/p@${a}`, a)] }]);
    expect(trackAliases(tracked.tags, 'demo', 'python', 100).changed).toEqual([]);
  });

  it('terminates on alias cycles', () => {
    const x = imported('x', { name: 'x', from: { kind: 'ImageStreamTag', name: 'y' } }, ev(`q/p@${a}`, a));
    const y = imported('y', { name: 'y', from: { kind: 'ImageStreamTag', name: 'x' } }, ev(`q/p@${b}`, b));
    const tracked = trackAliases([x, y], 'demo', 'python', 100);
    expect(tracked.tags.map((t) => t.items[0]?.image)).toEqual([b, b]);
  });
});
