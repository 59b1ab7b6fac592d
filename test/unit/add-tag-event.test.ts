import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addTagEvent } from '../../core/streams/add-tag-event.ts';
import type { TagEvent, TagEventCondition } from '../../core/streams/types.ts';

const a = `sha256:${'a'.repeat(64)}`;
const b = `sha256:${'b'.repeat(64)}`;
const event = (ref: string, image: string, generation = 1, created = '2026-01-01T00:00:00Z'): TagEvent => ({
  created,
  dockerImageReference: ref,
  image,
  generation,
});
const failure: TagEventCondition = {
  type: 'ImportSuccess',
  status: 'False',
  lastTransitionTime: '2026-01-01T00:00:00Z',
  reason: 'NotFound',
  message: 'gone',
  generation: 1,
};

describe('addTagEvent', () => {
  it('starts the history with the first event', () => {
    const result = addTagEvent({ items: [], conditions: [] }, event('r@a', a), 100);
    expect(result).toMatchObject({ changed: true, items: [event('r@a', a)] });
  });

  it('changes nothing when the same image arrives with the same generation', () => {
    const history = { items: [event('r@a', a)], conditions: [failure] };
    expect(addTagEvent(history, event('r@a', a, 1, '2026-06-01T00:00:00Z'), 100)).toEqual({
      ...history,
      changed: false,
      dropped: [],
    });
  });

  it('updates the head generation in place and clears conditions when only the generation differs', () => {
    const result = addTagEvent(
      { items: [event('r@a', a, 1)], conditions: [failure] },
      event('r@a', a, 3, '2026-06-01T00:00:00Z'),
      100,
    );
    expect(result.items).toEqual([event('r@a', a, 3)]);
    expect(result.conditions).toEqual([]);
    expect(result.changed).toBe(true);
  });

  it('updates the head in place when the reference matches but the image differs, keeping its time', () => {
    const result = addTagEvent(
      { items: [event('r:1', '')], conditions: [] },
      event('r:1', a, 2, '2026-06-01T00:00:00Z'),
      100,
    );
    expect(result.items).toEqual([{ ...event('r:1', a, 2) }]);
  });

  it('updates the head in place when the image matches but the reference differs', () => {
    const result = addTagEvent({ items: [event('x/r@a', a)], conditions: [] }, event('y/r@a', a, 2), 100);
    expect(result.items).toEqual([event('y/r@a', a, 2)]);
  });

  it('prepends when both differ, and a rollback to an older image is a new head', () => {
    const first = addTagEvent({ items: [event('r@a', a)], conditions: [] }, event('r@b', b, 2), 100);
    expect(first.items.map((i) => i.image)).toEqual([b, a]);
    const rollback = addTagEvent(first, event('r@a', a, 3), 100);
    expect(rollback.items.map((i) => i.image)).toEqual([a, b, a]);
  });

  it('keeps at most the limit and reports what it dropped', () => {
    let history = { items: [] as TagEvent[], conditions: [] as TagEventCondition[] };
    for (let i = 0; i < 5; i++) history = addTagEvent(history, event(`r:${i}`, `sha256:${String(i).repeat(64)}`, i), 3);
    const result = addTagEvent(history, event('r:5', `sha256:${'5'.repeat(64)}`, 5), 3);
    expect(result.items.map((i) => i.dockerImageReference)).toEqual(['r:5', 'r:4', 'r:3']);
    expect(result.dropped.map((i) => i.dockerImageReference)).toEqual(['r:2']);
  });

  it('never grows history for a re-import of the current image, whatever came before', () => {
    const ev = fc.record({
      ref: fc.constantFrom('r:1', 'r:2', 'r@a'),
      image: fc.constantFrom(a, b, ''),
      generation: fc.nat(5),
    });
    fc.assert(
      fc.property(fc.array(ev, { maxLength: 30 }), fc.integer({ min: 1, max: 10 }), (events, limit) => {
        let history = { items: [] as TagEvent[], conditions: [] as TagEventCondition[] };
        for (const e of events) {
          history = addTagEvent(history, event(e.ref, e.image, e.generation), limit);
          expect(history.items.length).toBeLessThanOrEqual(limit);
        }
        const head = history.items[0];
        if (!head) return;
        const again = addTagEvent(history, { ...head, created: '2030-01-01T00:00:00Z' }, limit);
        expect(again.changed).toBe(false);
        expect(again.items).toEqual(history.items);
      }),
    );
  });
});

describe('addTagEvent for reference tags', () => {
  it('keeps the previous pointer when a reference tag (no image id) is re-pointed', () => {
    const result = addTagEvent({ items: [event('quay.io/a:1', '')], conditions: [] }, event('quay.io/a:2', '', 2), 100);
    expect(result.items.map((i) => i.dockerImageReference)).toEqual(['quay.io/a:2', 'quay.io/a:1']);
  });
});
