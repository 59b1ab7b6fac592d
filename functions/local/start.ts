// `npm start`: the whole service on this machine — the API handler behind a local API Gateway over
// HTTPS, DynamoDB as dynalite persisted under the data folder, and a kubeconfig for kubectl. No AWS
// account needed.
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Principal } from '../../core/access/principal.ts';
import { ensureTable } from '../../core/adapters/dynamodb/create-table.ts';
import { createApiHandler } from '../lib/api-handler.ts';
import { createDependencies } from '../lib/composition-root.ts';
import { loadConfig } from '../lib/config.ts';
import { connectSubscriptions } from './connect-subscriptions.ts';
import { startDynalite } from './dynalite.ts';
import { InProcessBus } from './in-process-bus.ts';
import { localContext, writeKubeconfig } from './kubeconfig.ts';
import { ensureLocalCertificates } from './local-certificates.ts';
import { createLocalServer } from './local-server.ts';
import { startTicker } from './ticker.ts';
import { adminToken, credentialsKey, localAdmin, readTokensFile } from './tokens.ts';

async function main(): Promise<void> {
  const port = Number(process.env.PORT || 8080);
  const host = process.env.HOST || '127.0.0.1';
  const dataDir = resolve(process.env.IMAGESTREAMS_DATA_DIR || '.data');
  await mkdir(dataDir, { recursive: true, mode: 0o700 });

  const dynalite = await startDynalite(resolve(dataDir, 'dynamodb'));
  const interval = process.env.IMAGESTREAMS_SCHEDULE_INTERVAL_SECONDS || '900';
  const config = loadConfig({
    ...process.env,
    IMAGESTREAMS_TABLE: process.env.IMAGESTREAMS_TABLE || 'imagestreams',
    IMAGESTREAMS_DYNAMODB_ENDPOINT: dynalite.endpoint,
    IMAGESTREAMS_CREDENTIALS_KEY: process.env.IMAGESTREAMS_CREDENTIALS_KEY || (await credentialsKey(dataDir)),
    // The schedule ticks every minute, as in AWS, or faster when the interval is shorter than that.
    IMAGESTREAMS_SCHEDULE_TICK_SECONDS:
      process.env.IMAGESTREAMS_SCHEDULE_TICK_SECONDS || String(Math.min(60, Number(interval) || 60)),
  });
  await ensureTable(
    new DynamoDBClient({
      endpoint: dynalite.endpoint,
      region: config.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
    config.tableName,
  );

  const tokensFile = process.env.IMAGESTREAMS_TOKENS_FILE;
  let tokens: Map<string, Principal>;
  let kubeconfigToken: string | undefined;
  if (tokensFile) {
    tokens = await readTokensFile(tokensFile);
    console.log(`imagestreams: ${tokens.size} API token(s) from ${tokensFile}`);
  } else {
    const admin = await adminToken(dataDir);
    tokens = new Map([[admin.token, localAdmin]]);
    kubeconfigToken = admin.token;
    console.log(
      `imagestreams: admin token (${admin.created ? 'new, ' : ''}kept in ${resolve(dataDir, 'admin-token')}):\n  ${admin.token}`,
    );
  }

  // Events go through an in-process bus to the same subscribers as EventBridge rules in AWS.
  const bus = new InProcessBus((line) => console.log(`imagestreams: ${line}`));
  const deps = createDependencies(config, { publisher: bus });
  await connectSubscriptions(bus, deps);
  const tls = await ensureLocalCertificates(dataDir);
  if (tls.issued.ca) console.log(`imagestreams: new local certificate authority in ${resolve(dataDir, 'ca.crt')}`);
  const server = createLocalServer(createApiHandler(deps), tokens, tls);
  const ticker = startTicker(deps, config.scheduleTickSeconds, config.schedulerShards, (line) =>
    console.log(`imagestreams: ${line}`),
  );
  server.listen(port, host, () => {
    const { port: actual } = server.address() as AddressInfo;
    // The certificate names the loopback addresses only, so the kubeconfig points at one of them.
    const url = `https://${host === '::1' ? '[::1]' : '127.0.0.1'}:${actual}`;
    const kubeconfig = resolve(dataDir, 'kubeconfig');
    // Rewritten on every start: the port may have changed; the CA it trusts stays the same.
    writeKubeconfig(kubeconfig, { server: url, ca: tls.ca, token: kubeconfigToken, namespace: 'default' })
      .then(() => {
        // One write, so that whoever waits for the "listening" line reads the whole banner with it.
        const banner = [
          `imagestreams: listening on ${url} (data in ${dataDir})`,
          `imagestreams: to use kubectl (context ${localContext}):\n  export KUBECONFIG=${kubeconfig}`,
          ...(kubeconfigToken === undefined
            ? ['imagestreams: the kubeconfig holds no token with a tokens file: add --token=<yours> to kubectl']
            : []),
        ];
        console.log(banner.join('\n'));
      })
      .catch((error: unknown) => {
        console.error(`imagestreams: cannot write ${kubeconfig}: ${error instanceof Error ? error.message : error}`);
        process.exit(1);
      });
  });

  const stop = () => {
    clearInterval(ticker);
    server.close();
    server.closeAllConnections();
    void dynalite.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`imagestreams: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
