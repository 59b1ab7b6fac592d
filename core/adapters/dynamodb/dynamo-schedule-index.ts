import type { IndexedTag, ScheduleIndex } from '../../ports.ts';
import type { SlotCursor } from '../../scheduling/schedule.ts';
import { type DynamoTable, keys } from './dynamo-table.ts';
import { indexedTagFromItem as indexedTag } from './tag-items.ts';

/** ScheduleIndex on the table's sparse indexes (due and slot entries in gsi1, the outbox in gsi2) and one cursor item per shard. */
export class DynamoScheduleIndex implements ScheduleIndex {
  private readonly table: DynamoTable;

  constructor(table: DynamoTable) {
    this.table = table;
  }

  async listDue(now: string, limit: number): Promise<IndexedTag[]> {
    return (await this.table.query(keys.dueUntil(now), limit)).map(indexedTag);
  }

  async listSlot(slot: number): Promise<IndexedTag[]> {
    return (await this.table.query(keys.inSlot(slot))).map(indexedTag);
  }

  async listUnpublished(limit: number): Promise<IndexedTag[]> {
    return (await this.table.query(keys.inOutbox, limit)).map(indexedTag);
  }

  async getCursor(shard: number): Promise<SlotCursor[]> {
    const item = await this.table.get(keys.cursor(shard), cursorSubject(shard));
    return (item?.slots as SlotCursor[] | undefined) ?? [];
  }

  async putCursor(shard: number, cursor: SlotCursor[]): Promise<void> {
    await this.table.put({ ...keys.cursor(shard), type: 'cursor', slots: cursor }, cursorSubject(shard));
  }
}

const cursorSubject = (shard: number) => ({ kind: 'scheduler cursor', name: String(shard) });
