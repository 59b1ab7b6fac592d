import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedHook {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Whether the Imagestreams-Signature header verified with the receiver's secret. */
  signed: boolean;
  at: number;
}

export interface WebhookReceiver {
  host: string;
  url(path: string): string;
  received: ReceivedHook[];
  /** The status the next requests get before succeeding (e.g. [500, 500] fails twice). */
  failNext(statuses: number[]): void;
  alwaysFail(path: string, status: number): void;
  /** Holds the responses to requests on `path` open (recorded as received, never answered) until `release()`. */
  hold(path: string): () => void;
  stop(): Promise<void>;
}

/** Verifies `t=<unix>,v1=<hex>` as a receiver would: HMAC-SHA256 over "<t>.<body>" with the shared secret. */
export function verifySignature(header: string | undefined, body: string, secret: string): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!match) return false;
  const expected = createHmac('sha256', secret).update(`${match[1]}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(match[2] as string, 'hex'));
}

/** A loopback webhook receiver that checks signatures and can be told to fail. */
export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const received: ReceivedHook[] = [];
  const queued: number[] = [];
  const failing = new Map<string, number>();
  const held = new Map<string, (() => void)[]>();
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const path = req.url ?? '/';
    const status = failing.get(path) ?? queued.shift() ?? 200;
    received.push({
      path,
      headers: req.headers,
      body,
      signed: verifySignature(req.headers['imagestreams-signature'] as string | undefined, body, secret),
      at: Date.now(),
    });
    const waiting = held.get(path);
    if (waiting) await new Promise<void>((resolve) => waiting.push(resolve));
    res.writeHead(status).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host,
    url: (path) => `http://${host}${path}`,
    received,
    failNext: (statuses) => void queued.push(...statuses),
    alwaysFail: (path, status) => void failing.set(path, status),
    hold(path) {
      const waiting: (() => void)[] = [];
      held.set(path, waiting);
      return () => {
        held.delete(path);
        for (const answer of waiting.splice(0)) answer();
      };
    },
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
