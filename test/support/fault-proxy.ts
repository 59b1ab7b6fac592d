import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  | { kind: 'reset' }
  | { kind: 'stall' }
  | { kind: 'corrupt' }
  | { kind: 'oversize'; bytes: number }
  | { kind: 'redirect'; location: string };

interface Rule {
  method: string;
  path: RegExp;
  fault: Fault;
  times: number;
}

export interface FaultProxy {
  host: string;
  /** Requests that reached the proxy, by method and path. */
  seen: string[];
  /** The User-Agent of each request in `seen`. */
  userAgents: string[];
  /** The most requests that were in flight at once since the last clear(). */
  peakInFlight(): number;
  /** Applies `fault` to the next `times` requests matching method and path (Infinity for all). */
  inject(method: string, path: RegExp, fault: Fault, times?: number): void;
  clear(): void;
  stop(): Promise<void>;
}

/** A loopback HTTP proxy in front of a registry that misbehaves on request: errors, resets, stalls, bad bytes, redirects. */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const rules: Rule[] = [];
  const seen: string[] = [];
  const userAgents: string[] = [];
  let inFlight = 0;
  let peak = 0;
  const stalled = new Set<ServerResponse>();
  const upstream = new URL(target);

  const forward = (req: IncomingMessage, res: ServerResponse, transform?: (body: Buffer) => Buffer) => {
    const proxied = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        if (!transform) {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => {
          const body = transform(Buffer.concat(chunks));
          res
            .writeHead(answer.statusCode ?? 502, { ...answer.headers, 'content-length': String(body.length) })
            .end(body);
        });
      },
    );
    req.pipe(proxied);
  };

  const server: Server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    userAgents.push(req.headers['user-agent'] ?? '');
    peak = Math.max(peak, ++inFlight);
    res.on('close', () => inFlight--);
    const rule = rules.find((r) => r.times > 0 && r.method === req.method && r.path.test(req.url ?? ''));
    if (!rule) return forward(req, res);
    rule.times--;
    const fault = rule.fault;
    switch (fault.kind) {
      case 'status':
        res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers }).end(
          fault.body ??
            JSON.stringify({
              errors: [{ code: fault.status === 429 ? 'TOOMANYREQUESTS' : 'UNAVAILABLE', message: 'injected' }],
            }),
        );
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'stall':
        res.writeHead(200, {
          'content-type': 'application/vnd.docker.distribution.manifest.v2+json',
          'content-length': '1000',
        });
        res.write('{');
        stalled.add(res);
        return;
      case 'corrupt':
        return forward(req, res, (body) => {
          const copy = Buffer.from(body);
          copy[copy.length - 2] = copy[copy.length - 2] === 0x20 ? 0x0a : 0x20;
          return copy;
        });
      case 'oversize':
        res
          .writeHead(200, { 'content-type': 'application/vnd.docker.distribution.manifest.v2+json' })
          .end(Buffer.alloc(fault.bytes, 0x20));
        return;
      case 'redirect':
        res.writeHead(307, { location: fault.location }).end();
        return;
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    userAgents,
    peakInFlight: () => peak,
    inject(method, path, fault, times = 1) {
      rules.push({ method, path, fault, times });
    },
    clear() {
      rules.length = 0;
      seen.length = 0;
      userAgents.length = 0;
      peak = inFlight;
    },
    async stop() {
      for (const res of stalled) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
