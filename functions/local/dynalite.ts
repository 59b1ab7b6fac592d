import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';

export interface RunningDynalite {
  endpoint: string;
  /** DynamoDB requests received since start (or since the last reset), by operation. */
  requests: Map<string, number>;
  close(): Promise<void>;
}

/** Starts dynalite on a free loopback port; in memory, or persisted under `path`. */
export async function startDynalite(path?: string): Promise<RunningDynalite> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(path ? { path } : {}) });
  const requests = new Map<string, number>();
  server.on('request', (req) => {
    const target = req.headers['x-amz-target'];
    const operation = (typeof target === 'string' ? target.split('.').pop() : undefined) ?? 'unknown';
    requests.set(operation, (requests.get(operation) ?? 0) + 1);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => server.close((error?: Error) => (error ? reject(error) : resolve()))),
  };
}
