import { ConflictError } from '../errors.ts';
import { type BusEvent, importFailedEvent, tagChangedEvent } from '../events/bus-events.ts';
import type { Clock, EventPublisher, StreamKey, StreamStore } from '../ports.ts';
import { type ScheduleOptions, scheduleOf } from '../scheduling/schedule.ts';
import { sameImage } from '../streams/add-tag-event.ts';
import type { ChangeCause, TagChange, TagEventCondition, TagRecord } from '../streams/types.ts';

export interface TagWriterOptions {
  streams: StreamStore;
  publisher: EventPublisher;
  clock: Clock;
  schedule: ScheduleOptions;
}

export interface WriteContext {
  /** The tag the request is about: written first; the others are aliases following it. */
  primary?: string | undefined;
  cause: ChangeCause;
  actor: string;
}

/**
 * The one way tags are written. It keeps each tag's scheduler index up to date, records a change of
 * the current image in the tag's own item (the outbox, in the same conditional write), then announces
 * it on the bus and clears it. A change whose announcement fails stays in the outbox for the next tick.
 */
export class TagWriter {
  private readonly options: TagWriterOptions;

  constructor(options: TagWriterOptions) {
    this.options = options;
  }

  /**
   * Writes the tags that differ from what was read, `primary` first, and removes emptied status-only
   * tags. With a primary tag, an alias that loses a race is left to read repair; without one, every
   * conflict is the caller's to retry.
   */
  async write(stream: StreamKey, before: TagRecord[], after: TagRecord[], context: WriteContext): Promise<TagRecord[]> {
    const previous = new Map(before.map((t) => [t.name, t]));
    const now = this.options.clock.now();
    const changed = after
      .filter((t) => JSON.stringify(t) !== JSON.stringify(previous.get(t.name)))
      .sort((a, b) => Number(b.name === context.primary) - Number(a.name === context.primary));
    const stored: TagRecord[] = [];
    for (const tag of changed) {
      try {
        if (!tag.spec && tag.items.length === 0 && tag.conditions.length === 0) {
          if (tag.version) await this.options.streams.deleteTag(stream, tag);
          continue;
        }
        const cause = context.primary === undefined || tag.name === context.primary ? context.cause : 'alias';
        const record = this.withIndexes(
          stream,
          this.withChange(previous.get(tag.name), tag, cause, context.actor, now),
          now,
        );
        stored.push(await this.options.streams.putTag(stream, record));
      } catch (error) {
        if (context.primary === undefined || tag.name === context.primary || !(error instanceof ConflictError))
          throw error;
      }
    }
    await this.announce(stream, stored);
    return stored;
  }

  /** Announces tags' unpublished changes and clears each one that went out; the rest wait for the next try. */
  async announce(stream: StreamKey, tags: TagRecord[]): Promise<void> {
    const pending = tags.filter((t): t is TagRecord & { unpublished: TagChange } => t.unpublished !== undefined);
    if (pending.length === 0) return;
    const events = pending.map((t) => tagChangedEvent(stream, t));
    const failed = new Set(await this.options.publisher.publish(events));
    await Promise.all(
      pending.map((t, i) =>
        failed.has(events[i] as BusEvent) ? undefined : this.options.streams.markPublished(stream, t.name, t.version),
      ),
    );
  }

  /** Best effort: an import failure is an alert, not state, so it is not kept for a retry. */
  async importFailed(stream: StreamKey, tag: TagRecord, condition: TagEventCondition, actor: string): Promise<void> {
    await this.options.publisher.publish([importFailedEvent(stream, tag, condition, actor)]);
  }

  /**
   * A change of the current image goes into the tag's outbox. A change read but not yet announced stays
   * there whatever the new record carries (a spec-only write must not drop it), and keeps its `previous`.
   */
  private withChange(
    before: TagRecord | undefined,
    tag: TagRecord,
    cause: ChangeCause,
    actor: string,
    now: Date,
  ): TagRecord {
    const pending = before?.unpublished ?? tag.unpublished;
    const head = tag.items[0];
    const old = before?.items[0];
    if (!head || sameImage(old, head)) return pending ? { ...tag, unpublished: pending } : tag;
    const previous = pending
      ? pending.previous
      : old
        ? { image: old.image, dockerImageReference: old.dockerImageReference }
        : null;
    return { ...tag, unpublished: { previous, cause, actor, changedAt: now.toISOString() } };
  }

  private withIndexes(stream: StreamKey, tag: TagRecord, now: Date): TagRecord {
    const { dueAt: _due, scheduleSlot: _slot, ...rest } = tag;
    return { ...rest, ...scheduleOf(stream.namespace, stream.name, tag, now, this.options.schedule) };
  }
}
