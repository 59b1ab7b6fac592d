import type { Logger } from '@aws-lambda-powertools/logger';
import { type BusEvent, parseBusEvent } from '../../core/events/bus-events.ts';
import type { EventPublisher } from '../../core/ports.ts';
import type { Subscription } from '../lib/subscriptions.ts';

export type EventHandler = (event: {
  source: string;
  'detail-type': string;
  detail: unknown;
  time: string;
  id: string;
}) => Promise<unknown>;

/** Whether an EventBridge pattern matches: each key's allowed values, recursing into objects. */
export function matchesPattern(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([key, allowed]) => {
    const value = event[key];
    if (Array.isArray(allowed)) return allowed.includes(value);
    if (allowed && typeof allowed === 'object')
      return (
        value !== null &&
        typeof value === 'object' &&
        matchesPattern(allowed as Record<string, unknown>, value as Record<string, unknown>)
      );
    return false;
  });
}

/** Local mode's bus: logs every event and hands it to the subscribed handlers, as EventBridge rules would. */
export class InProcessBus implements EventPublisher {
  private readonly routes: { subscription: Subscription; handler: EventHandler }[] = [];
  private readonly logger: Pick<Logger, 'info' | 'error'>;
  private counter = 0;

  constructor(logger: Pick<Logger, 'info' | 'error'>) {
    this.logger = logger;
  }

  subscribe(subscription: Subscription, handler: EventHandler): void {
    this.routes.push({ subscription, handler });
  }

  async publish(events: BusEvent[]): Promise<BusEvent[]> {
    for (const event of events) {
      const envelope = {
        source: event.source,
        'detail-type': event.detailType,
        detail: parseBusEvent(event).detail,
        time: new Date().toISOString(),
        id: `local-${++this.counter}`,
      };
      this.logger.info('event published', { detailType: event.detailType, detail: event.detail });
      for (const { subscription, handler } of this.routes) {
        if (!matchesPattern(subscription.pattern, envelope)) continue;
        handler(envelope).catch((error: unknown) =>
          this.logger.error('subscription failed', { subscription: subscription.name, error: error as Error }),
        );
      }
    }
    return [];
  }
}
