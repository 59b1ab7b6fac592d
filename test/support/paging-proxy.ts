import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PagingProxy {
  host: string;
  /** Requests that reached the proxy, as `METHOD path`. */
  seen: string[];
  /** Tags per page of a tag listing; the registry's own `n` is ignored, as Docker Hub caps it. */
  pageSize: number;
  /** Answers the next `times` tag listings of repositories whose path contains `repository` with `status`. */
  failListing(status: number, times?: number, repository?: string): void;
  clear(): void;
  stop(): Promise<void>;
}

const tagListPath = /^\/v2\/(.+)\/tags\/list(?:\?(.*))?$/;

/**
 * A loopback proxy in front of the test registry that pages tag listings with `Link` headers
 * (distribution 2.8 answers every tag at once, whatever `n` says). Everything else, auth challenges
 * included, is passed through unchanged; every request is recorded so that tests can count them.
 */
export async function startPagingProxy(
  target: string,
  pageSize = 100,
  /** Names added to a repository's listing (benchmarks: a thousand tags without pushing a thousand manifests). */
  extraTags: (repository: string) => string[] = () => [],
): Promise<PagingProxy> {
  const upstream = new URL(target);
  const seen: string[] = [];
  let failures: { status: number; times: number; repository: string } | undefined;

  const forward = (
    req: IncomingMessage,
    path: string,
    onAnswer: (status: number, headers: Record<string, string | string[] | undefined>, body: Buffer) => void,
  ) => {
    const proxied = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => onAnswer(answer.statusCode ?? 502, answer.headers, Buffer.concat(chunks)));
      },
    );
    req.pipe(proxied);
  };

  const proxy: PagingProxy = {
    host: '',
    seen,
    pageSize,
    failListing(status, times = 1, repository = '') {
      failures = { status, times, repository };
    },
    clear() {
      seen.length = 0;
      failures = undefined;
    },
    stop: async () => {},
  };

  const server: Server = createServer((req, res) => {
    const url = req.url ?? '/';
    seen.push(`${req.method} ${url}`);
    const listing = req.method === 'GET' ? tagListPath.exec(url) : null;
    if (listing && failures && failures.times > 0 && (listing[1] ?? '').includes(failures.repository)) {
      failures.times--;
      res
        .writeHead(failures.status, { 'content-type': 'application/json' })
        .end(JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message: 'injected' }] }));
      return;
    }
    if (!listing) {
      forward(req, url, (status, headers, body) => res.writeHead(status, headers).end(body));
      return;
    }
    const [, name = '', query = ''] = listing;
    const last = new URLSearchParams(query).get('last') ?? '';
    forward(req, `/v2/${name}/tags/list`, (status, headers, body) => {
      if (status !== 200) return void res.writeHead(status, headers).end(body);
      const listed = (JSON.parse(body.toString('utf8')) as { tags?: string[] | null }).tags ?? [];
      const all = [...new Set([...listed, ...extraTags(name)])].sort();
      const rest = last ? all.filter((t) => t > last) : all;
      const page = rest.slice(0, proxy.pageSize);
      const more = rest.length > page.length;
      const out = Buffer.from(JSON.stringify({ name, tags: page }));
      res
        .writeHead(200, {
          'content-type': 'application/json',
          'content-length': String(out.length),
          ...(more
            ? {
                link: `</v2/${name}/tags/list?n=${proxy.pageSize}&last=${encodeURIComponent(page.at(-1) ?? '')}>; rel="next"`,
              }
            : {}),
        })
        .end(out);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.stop = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return proxy;
}
