// `npm start`: the whole service on this machine — the API handler behind a local API Gateway over
// HTTPS, DynamoDB as dynalite persisted under the data folder, and a kubeconfig for kubectl. No AWS
// account needed.
// What the service logs goes to stdout as the same JSON lines as in Lambda (one logger). What the person
// at the terminal needs — the URL, the token to use, a startup failure — goes to stderr as plain text:
// a token belongs on their screen, not in a log a collector ships, and stdout stays pure JSON for jq.
import { mkdir } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Principal } from '../../core/access/principal.ts';
import { endpointOverride } from '../../core/adapters/aws-endpoint.ts';
import { ensureTable } from '../../core/adapters/dynamodb/create-table.ts';
import { createApiHandler } from '../lib/api-handler.ts';
import { loadConfig } from '../lib/config.ts';
import { createLogger } from '../lib/create-logger.ts';
import { WatchStreams, watchSettings } from '../lib/watch-streams.ts';
import { connectSubscriptions } from './connect-subscriptions.ts';
import { startDynalite } from './dynalite.ts';
import { InProcessBus } from './in-process-bus.ts';
import { localContext, writeKubeconfig } from './kubeconfig.ts';
import { ensureLocalCertificates } from './local-certificates.ts';
import { localDependencies } from './local-dependencies.ts';
import { type LocalRegistry, planLocalRegistry, startLocalRegistry } from './local-registry.ts';
import { createLocalServer } from './local-server.ts';
import { ensureRegistryTokenKey } from './registry-token-key.ts';
import { startTicker } from './ticker.ts';
import { adminToken, credentialsKey, localAdmin, readTokensFile } from './tokens.ts';

/** The integrated registry's process, once started: stopped with the service, or when starting fails later. */
let registry: LocalRegistry | undefined;

async function main(): Promise<void> {
  const host = process.env.HOST || '127.0.0.1';
  // PORT=0 asks for any free port: taken now, so that the registry and the configuration know it.
  const port = Number(process.env.PORT || 8080) || (await freePort(host));
  const dataDir = resolve(process.env.IMAGESTREAMS_DATA_DIR || '.data');
  await mkdir(dataDir, { recursive: true, mode: 0o700 });

  const dynalite = await startDynalite(resolve(dataDir, 'dynamodb'));
  const tls = await ensureLocalCertificates(dataDir);
  if (tls.issued.ca) tell(`new local certificate authority in ${resolve(dataDir, 'ca.crt')}`);
  // The certificate names the loopback addresses only, so clients are pointed at one of them.
  const urlOf = (listening: number) => `https://${host === '::1' ? '[::1]' : '127.0.0.1'}:${listening}`;

  // The integrated registry. Pulls and pushes are authorised by the service: the registry's token realm is
  // this server, whose key (kept in the data folder) signs the tokens the registry checks.
  let registryPlan = await planLocalRegistry(process.env, dataDir);
  const tokenKey = registryPlan.on ? await ensureRegistryTokenKey(dataDir) : undefined;
  const runRegistry = async (url: string): Promise<string> => {
    if (!registryPlan.on)
      return `integrated registry off: ${registryPlan.why}${registryPlan.hint ? `; ${registryPlan.hint}` : ''}`;
    try {
      registry = await startLocalRegistry({
        binary: registryPlan.binary,
        dataDir,
        caFile: resolve(dataDir, 'ca.crt'),
        settings: {
          port: registryPlan.port,
          notificationsUrl: `${url}/registry/notifications`,
          secret: registryPlan.secret,
          ...(tokenKey ? { tokenAuth: { serviceUrl: url, certFile: tokenKey.certFile } } : {}),
        },
        onExit: (code, stderr) =>
          tell(`the integrated registry stopped (exit code ${code}); pushes no longer reach streams: ${stderr}`),
      });
      return `integrated registry on ${registry.host} (images in ${resolve(dataDir, 'registry')}): push to a stream's status.dockerImageRepository`;
    } catch (error) {
      return `integrated registry off: ${error instanceof Error ? error.message : error}`;
    }
  };
  // The registry starts before the service is configured, so that one that fails to start leaves the
  // feature off (no repositories, no tokens) rather than half on. Its notifications wait for the server
  // (the registry retries them).
  const registryLine = await runRegistry(urlOf(port));
  if (!registry) registryPlan = { on: false, why: registryLine };
  const registryHost = registryPlan.on ? `127.0.0.1:${registryPlan.port}` : undefined;
  const interval = process.env.IMAGESTREAMS_SCHEDULE_INTERVAL_SECONDS || '900';
  const config = loadConfig({
    ...process.env,
    IMAGESTREAMS_TABLE: process.env.IMAGESTREAMS_TABLE || 'imagestreams',
    IMAGESTREAMS_DYNAMODB_ENDPOINT: dynalite.endpoint,
    IMAGESTREAMS_CREDENTIALS_KEY: process.env.IMAGESTREAMS_CREDENTIALS_KEY || (await credentialsKey(dataDir)),
    // The schedule ticks every minute, as in AWS, or faster when the interval is shorter than that.
    IMAGESTREAMS_SCHEDULE_TICK_SECONDS:
      process.env.IMAGESTREAMS_SCHEDULE_TICK_SECONDS || String(Math.min(60, Number(interval) || 60)),
    ...(registryPlan.on
      ? {
          IMAGESTREAMS_REGISTRY: registryHost,
          // Plain HTTP on loopback, for exactly that host; and this server, the registry's token realm, which
          // the service reaches over HTTPS with the local CA.
          IMAGESTREAMS_INSECURE_REGISTRIES: [
            process.env.IMAGESTREAMS_INSECURE_REGISTRIES,
            registryHost,
            `127.0.0.1:${port}`,
          ]
            .filter(Boolean)
            .join(','),
          IMAGESTREAMS_REGISTRY_NOTIFICATIONS_SECRET: registryPlan.secret,
          IMAGESTREAMS_REGISTRY_TOKEN_KEY: tokenKey?.keyFile,
        }
      : {}),
  });
  await ensureTable(
    new DynamoDBClient({ region: config.region, ...endpointOverride(dynalite.endpoint) }),
    config.tableName,
  );

  const tokensFile = process.env.IMAGESTREAMS_TOKENS_FILE;
  let tokens: Map<string, Principal>;
  let kubeconfigToken: string | undefined;
  if (tokensFile) {
    tokens = await readTokensFile(tokensFile);
    tell(`${tokens.size} API token(s) from ${tokensFile}`);
  } else {
    const admin = await adminToken(dataDir);
    tokens = new Map([[admin.token, localAdmin]]);
    kubeconfigToken = admin.token;
    tell(`admin token (${admin.created ? 'new, ' : ''}kept in ${resolve(dataDir, 'admin-token')}):\n  ${admin.token}`);
  }

  // Events go through an in-process bus to the same subscribers as EventBridge rules in AWS.
  const logger = createLogger(config);
  const bus = new InProcessBus(logger);
  const deps = localDependencies(config, { publisher: bus, logger });
  await connectSubscriptions(bus, deps);
  // This server streams, so it serves watches (kubectl get -w, kubectl wait).
  const watches = new WatchStreams(watchSettings(config));
  const server = createLocalServer(createApiHandler(deps, { watches }), tokens, tls, logger);
  const ticker = startTicker(deps, config.scheduleTickSeconds, config.schedulerShards, logger);
  server.listen(port, host, () => {
    const { port: actual } = server.address() as AddressInfo;
    const url = urlOf(actual);
    const kubeconfig = resolve(dataDir, 'kubeconfig');
    // Rewritten on every start: the port may have changed; the CA it trusts stays the same.
    writeKubeconfig(kubeconfig, { server: url, ca: tls.ca, token: kubeconfigToken, namespace: 'default' })
      .then(() => {
        // One write, so that whoever waits for the "listening" line reads the whole banner with it.
        tell(
          [
            `listening on ${url} (data in ${dataDir})`,
            `to use kubectl (context ${localContext}):\n  export KUBECONFIG=${kubeconfig}`,
            ...(kubeconfigToken === undefined
              ? ['the kubeconfig holds no token with a tokens file: add --token=<yours> to kubectl']
              : []),
            registryLine,
          ].join('\nimagestreams: '),
        );
        logger.info('local mode started', { url, dataDir });
      })
      .catch((error: unknown) => {
        tell(`cannot write ${kubeconfig}: ${error instanceof Error ? error.message : error}`);
        process.exit(1);
      });
  });

  const stop = () => {
    clearInterval(ticker);
    server.close();
    server.closeAllConnections();
    void Promise.all([registry?.stop(), dynalite.close()]).then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** A free port on the host, for PORT=0. */
async function freePort(host: string): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(0, host, resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** A line for the person who ran `npm start` (see the top of this file). */
function tell(line: string): void {
  process.stderr.write(`imagestreams: ${line}\n`);
}

main().catch(async (error: unknown) => {
  tell(error instanceof Error ? error.message : String(error));
  await registry?.stop();
  process.exit(1);
});
