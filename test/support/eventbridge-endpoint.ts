import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { matchesPattern } from '../../functions/local/in-process-bus.ts';

export interface ReceivedEvent {
  EventBusName: string;
  Source: string;
  DetailType: string;
  Detail: string;
}

/** An event as an EventBridge rule hands it to its target (the fields the handlers read). */
export interface RoutedEvent {
  source: string;
  'detail-type': string;
  detail: unknown;
}

export interface EventBridgeEndpoint {
  url: string;
  /** Events accepted, in order. */
  events: ReceivedEvent[];
  /** PutEvents calls received, with their entry counts. */
  calls: number[];
  /** Fails the next `count` entries with a throttling error (a partial failure), or the next calls entirely. */
  failEntries(count: number): void;
  failCalls(count: number): void;
  details(detailType?: string): Record<string, unknown>[];
  /**
   * Hands each event accepted from now on that matches `pattern` (EventBridge syntax) to `target`, after
   * PutEvents is answered, as a rule invokes its target: the publisher never waits for it.
   */
  route(pattern: Record<string, unknown>, target: (event: RoutedEvent) => Promise<unknown>): void;
  /** What routed targets threw. */
  routeErrors: unknown[];
  /** Waits for the routed targets still running, then closes the endpoint. */
  stop(): Promise<void>;
}

/** A loopback endpoint that speaks EventBridge's PutEvents JSON protocol, including partial failures. */
export async function startEventBridgeEndpoint(): Promise<EventBridgeEndpoint> {
  const events: ReceivedEvent[] = [];
  const calls: number[] = [];
  let entriesToFail = 0;
  let callsToFail = 0;
  const routes: { pattern: Record<string, unknown>; target: (event: RoutedEvent) => Promise<unknown> }[] = [];
  const running = new Set<Promise<unknown>>();
  const routeErrors: unknown[] = [];
  const dispatch = (entry: ReceivedEvent) => {
    const event = { source: entry.Source, 'detail-type': entry.DetailType, detail: JSON.parse(entry.Detail) };
    for (const { pattern, target } of routes) {
      if (!matchesPattern(pattern, event)) continue;
      const delivery = target(event)
        .catch((error: unknown) => void routeErrors.push(error))
        .finally(() => running.delete(delivery));
      running.add(delivery);
    }
  };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.headers['x-amz-target'] !== 'AWSEvents.PutEvents') {
      res
        .writeHead(400, { 'content-type': 'application/x-amz-json-1.1' })
        .end(JSON.stringify({ __type: 'UnknownOperationException' }));
      return;
    }
    const { Entries = [] } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Entries?: ReceivedEvent[] };
    calls.push(Entries.length);
    if (Entries.length > 10) {
      res
        .writeHead(400, { 'content-type': 'application/x-amz-json-1.1' })
        .end(JSON.stringify({ __type: 'ValidationException', message: 'Entries must have at most 10 items' }));
      return;
    }
    if (callsToFail > 0) {
      callsToFail--;
      res
        .writeHead(500, { 'content-type': 'application/x-amz-json-1.1' })
        .end(JSON.stringify({ __type: 'InternalException', message: 'injected' }));
      return;
    }
    let failed = 0;
    const results = Entries.map((entry) => {
      if (entriesToFail > 0) {
        entriesToFail--;
        failed++;
        return { ErrorCode: 'ThrottlingException', ErrorMessage: 'injected partial failure' };
      }
      events.push(entry);
      return { EventId: randomUUID() };
    });
    res
      .writeHead(200, { 'content-type': 'application/x-amz-json-1.1' })
      .end(JSON.stringify({ FailedEntryCount: failed, Entries: results }));
    Entries.filter((_, i) => !results[i]?.ErrorCode).forEach(dispatch);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    events,
    calls,
    failEntries: (count) => void (entriesToFail = count),
    failCalls: (count) => void (callsToFail = count),
    details: (detailType) =>
      events
        .filter((e) => !detailType || e.DetailType === detailType)
        .map((e) => JSON.parse(e.Detail) as Record<string, unknown>),
    route: (pattern, target) => void routes.push({ pattern, target }),
    routeErrors,
    async stop() {
      await Promise.allSettled([...running]);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
