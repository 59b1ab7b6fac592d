import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedEvent {
  EventBusName: string;
  Source: string;
  DetailType: string;
  Detail: string;
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
  stop(): Promise<void>;
}

/** A loopback endpoint that speaks EventBridge's PutEvents JSON protocol, including partial failures. */
export async function startEventBridgeEndpoint(): Promise<EventBridgeEndpoint> {
  const events: ReceivedEvent[] = [];
  const calls: number[] = [];
  let entriesToFail = 0;
  let callsToFail = 0;
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
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
