import { type EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { BusEvent } from '../../events/bus-events.ts';
import type { EventPublisher } from '../../ports.ts';

const maxEntriesPerCall = 10;

/** Publishes to an EventBridge bus with PutEvents, ten entries a call, retrying the entries that failed. */
export class EventBridgePublisher implements EventPublisher {
  private readonly client: EventBridgeClient;
  private readonly busName: string;
  private readonly attempts: number;
  private readonly retryDelayMs: number;

  constructor(client: EventBridgeClient, busName: string, options: { attempts?: number; retryDelayMs?: number } = {}) {
    this.client = client;
    this.busName = busName;
    this.attempts = options.attempts ?? 4;
    this.retryDelayMs = options.retryDelayMs ?? 100;
  }

  async publish(events: BusEvent[]): Promise<BusEvent[]> {
    let pending = events;
    for (let attempt = 1; pending.length > 0 && attempt <= this.attempts; attempt++) {
      if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs * 2 ** (attempt - 2)));
      const failed: BusEvent[] = [];
      for (let i = 0; i < pending.length; i += maxEntriesPerCall) {
        const batch = pending.slice(i, i + maxEntriesPerCall);
        try {
          const result = await this.client.send(new PutEventsCommand({ Entries: batch.map((e) => this.entry(e)) }));
          (result.Entries ?? []).forEach((entry, j) => {
            if (entry.ErrorCode) failed.push(batch[j] as BusEvent);
          });
        } catch {
          // The whole call failed (throttled, unreachable): every entry of the batch is tried again.
          failed.push(...batch);
        }
      }
      pending = failed;
    }
    return pending;
  }

  private entry(event: BusEvent): PutEventsRequestEntry {
    return {
      EventBusName: this.busName,
      Source: event.source,
      DetailType: event.detailType,
      Detail: JSON.stringify(event.detail),
      Time: new Date(),
    };
  }
}
