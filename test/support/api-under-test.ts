import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Agent, fetch } from 'undici';
import { ensureTable } from '../../core/adapters/dynamodb/create-table.ts';
import { type DynamoStores, dynamoStores } from '../../core/adapters/dynamodb/dynamo-stores.ts';
import { createApiHandler } from '../../functions/lib/api-handler.ts';
import { loadConfig } from '../../functions/lib/config.ts';
import { WatchStreams, watchSettings } from '../../functions/lib/watch-streams.ts';
import { type RunningDynalite, startDynalite } from '../../functions/local/dynalite.ts';
import { localDependencies } from '../../functions/local/local-dependencies.ts';
import { createLocalServer } from '../../functions/local/local-server.ts';
import { type EventBridgeEndpoint, startEventBridgeEndpoint } from './eventbridge-endpoint.ts';
import { localTls } from './local-tls.ts';

/** Test principals: alice is a deployment admin (most tests are about the API, not access); the others hold namespace roles the security tests grant. */
export const tokens = {
  admin: 'admin-token-0123456789abcdef',
  alice: 'alice-token-0123456789abcdef',
  none: 'none-token-0123456789abcdef',
  puller: 'puller-token-0123456789abcdef',
  viewer: 'viewer-token-0123456789abcdef',
  editor: 'editor-token-0123456789abcdef',
  owner: 'owner-token-0123456789abcdef',
  stranger: 'stranger-token-0123456789abcdef',
  odd: 'odd-token-0123456789abcdef',
};

export const principals: Record<keyof typeof tokens, { user: string; groups: string[] }> = {
  admin: { user: 'admin', groups: ['system:admins'] },
  alice: { user: 'alice', groups: ['team-a', 'system:admins'] },
  none: { user: 'nobody', groups: [] },
  puller: { user: 'puller', groups: ['ci'] },
  viewer: { user: 'viewer', groups: [] },
  editor: { user: 'editor', groups: [] },
  owner: { user: 'owner', groups: [] },
  stranger: { user: 'stranger', groups: ['team-b-admins'] },
  odd: { user: 'ø\u0000<script>"; DROP', groups: ['../team-a'] },
};

export interface ApiUnderTest {
  /** https URL on loopback; its certificate is signed by `ca`. */
  url: string;
  /** PEM of the CA to trust, as a kubeconfig's certificate-authority-data would. */
  ca: string;
  /** An HTTP client that trusts `ca`, for requests `call` cannot shape. */
  dispatcher: Agent;
  dynalite: RunningDynalite;
  /** The stores over the same table, for arranging and checking what is stored. */
  stores: DynamoStores;
  /** The Lambda handler itself, for events shaped by API Gateway rather than by local mode. */
  handler: ReturnType<typeof createApiHandler>;
  /** Where the service publishes its events (a loopback PutEvents endpoint). */
  bus: EventBridgeEndpoint;
  /** The API's dependencies, and the trigger function's (`firing`) over the same table and bus. */
  deps: ReturnType<typeof localDependencies>;
  /** The local server's watches (it streams; the Lambda behind API Gateway has none). */
  watches: WatchStreams;
  /** The local server's open connections. */
  connections(): Promise<number>;
  /** Every request the handler served, in order: method, path and query as API Gateway passed them, and the handler's time. */
  requests: { method: string; path: string; query: string; ms: number }[];
  /** Sends a request as a token holder (alice by default); JSON bodies are serialised. */
  call(
    method: string,
    path: string,
    options?: { body?: unknown; raw?: string; token?: string | null; headers?: Record<string, string> },
  ): Promise<{ status: number; json: any; text: string; headers: Headers }>;
  close(): Promise<void>;
}

/** The API handler behind the local API Gateway (HTTPS) on a loopback port, over a fresh dynalite. */
export async function startApi(
  env: Record<string, string> = {},
  clock?: { now(): Date },
  /** A port chosen beforehand (freePort), when the configuration must name the service's own address. */
  port = 0,
): Promise<ApiUnderTest> {
  const dynalite = await startDynalite();
  const bus = await startEventBridgeEndpoint();
  const config = loadConfig({
    IMAGESTREAMS_TABLE: 'imagestreams-test',
    IMAGESTREAMS_DYNAMODB_ENDPOINT: dynalite.endpoint,
    IMAGESTREAMS_EVENT_BUS: 'imagestreams-test',
    IMAGESTREAMS_EVENTBRIDGE_ENDPOINT: bus.url,
    AWS_REGION: 'local',
    // Audit lines stay out of the test output; the test of the audit log turns them on.
    IMAGESTREAMS_AUDIT_LOG: 'false',
    ...env,
  });
  const dynamo = new DynamoDBClient({
    endpoint: dynalite.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  await ensureTable(dynamo, config.tableName);
  const deps = localDependencies(config, clock ? { clock } : {});
  const watches = new WatchStreams(watchSettings(config));
  const handler = createApiHandler(deps, { watches });
  const tls = await localTls();
  const requests: ApiUnderTest['requests'] = [];
  const server = createLocalServer(
    async (event, context) => {
      const start = performance.now();
      const result = await handler(event, context);
      const { method } = event.requestContext.http;
      requests.push({ method, path: event.rawPath, query: event.rawQueryString, ms: performance.now() - start });
      return result;
    },
    new Map(Object.entries(tokens).map(([key, token]) => [token, principals[key as keyof typeof tokens]])),
    tls,
    deps.logger,
  );
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dispatcher = new Agent({ connect: { ca: tls.ca } });
  return {
    url,
    ca: tls.ca,
    dispatcher,
    dynalite,
    handler,
    bus,
    deps,
    watches,
    connections: () =>
      new Promise((resolve, reject) =>
        server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
      ),
    requests,
    stores: dynamoStores(dynamo, config.tableName),
    async call(method, path, options = {}) {
      const token = options.token === undefined ? tokens.alice : options.token;
      const headers: Record<string, string> = {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...options.headers,
      };
      let body: string | undefined = options.raw;
      if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers['content-type'] ??= 'application/json';
      }
      const response = await fetch(url + path, {
        method,
        headers,
        dispatcher,
        ...(body !== undefined ? { body } : {}),
      });
      const text = await response.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: response.status, json, text, headers: response.headers };
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      // Routed events still being handled finish before the table goes.
      await bus.stop();
      await dispatcher.close();
      deps.dynamo.destroy();
      dynamo.destroy();
      await deps.registry.close();
      await dynalite.close();
    },
  };
}
