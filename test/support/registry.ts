import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, createPrivateKey, createSign, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { registryTokenAuth } from '../../functions/local/registry-token-auth.ts';

export interface RunningRegistry {
  /** host:port on loopback */
  host: string;
  url: string;
  /** host:port of the token service, for token auth. */
  tokenHost?: string;
  /** Basic credentials that work, for registries with auth. */
  user?: { username: string; password: string };
  stop(): Promise<void>;
}

export type RegistryAuth =
  | { kind: 'none' }
  | { kind: 'htpasswd' }
  | { kind: 'token' }
  /** Token auth whose realm is the service under test (`auth` as local mode writes it): the registry checks signatures only. */
  | { kind: 'realm'; serviceUrl: string; rootCertFile: string };

/** Where the registry sends its push notifications (its `notifications.endpoints`), and the CA that endpoint's certificate chains to. */
export interface RegistryNotifications {
  url: string;
  /** Sent as `Authorization: Bearer <token>` on every notification. */
  bearer: string;
  /** PEM of the CA to trust (Go reads it through SSL_CERT_FILE). */
  ca: string;
}

/** A loopback port nothing listens on (yet). */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts the CNCF distribution registry (Debian package docker-registry) on a free loopback port with a
 * generated config: anonymous, Basic auth from an htpasswd file (bcrypt), or Bearer tokens from a small
 * token server that signs RS256 JWTs the registry verifies with its certificate.
 */
export async function startRegistry(
  auth: RegistryAuth = { kind: 'none' },
  notifications?: RegistryNotifications,
  /** A port chosen beforehand (freePort), when the service must know the registry before it starts. */
  chosenPort?: number,
): Promise<RunningRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'imagestreams-registry-'));
  const port = chosenPort ?? (await freePort());
  const user = { username: 'feas', password: 's3cret-password' };
  let authConfig = '';
  let tokenServer: Server | undefined;
  let tokenHost: string | undefined;
  if (auth.kind === 'htpasswd') {
    await writeFile(join(dir, 'htpasswd'), `${user.username}:${bcrypt.hashSync(user.password, 5)}\n`);
    authConfig = `auth:\n  htpasswd:\n    realm: test-realm\n    path: ${join(dir, 'htpasswd')}\n`;
  } else if (auth.kind === 'token') {
    const tokenPort = await freePort();
    tokenHost = `127.0.0.1:${tokenPort}`;
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'token.key'),
        '-out',
        join(dir, 'token.crt'),
        '-days',
        '2',
        '-subj',
        '/CN=test-token-issuer',
      ],
      { stdio: 'ignore' },
    );
    tokenServer = await startTokenServer(
      tokenPort,
      await readFile(join(dir, 'token.key'), 'utf8'),
      await readFile(join(dir, 'token.crt'), 'utf8'),
      user,
    );
    authConfig = `auth:\n  token:\n    realm: http://127.0.0.1:${tokenPort}/token\n    service: test-registry\n    issuer: test-issuer\n    rootcertbundle: ${join(dir, 'token.crt')}\n`;
  } else if (auth.kind === 'realm') {
    authConfig = registryTokenAuth(auth.serviceUrl, auth.rootCertFile);
  }
  const config = `version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${join(dir, 'data')}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:${port}
  secret: ${randomUUID()}
${authConfig}${notifications ? notificationsConfig(notifications) : ''}`;
  await writeFile(join(dir, 'config.yml'), config);
  if (notifications) await writeFile(join(dir, 'ca.crt'), notifications.ca);
  const child: ChildProcess = spawn('docker-registry', ['serve', join(dir, 'config.yml')], {
    stdio: ['ignore', 'ignore', 'pipe'],
    ...(notifications ? { env: { ...process.env, SSL_CERT_FILE: join(dir, 'ca.crt') } } : {}),
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      const response = await fetch(`${url}/v2/`);
      await response.arrayBuffer();
      break;
    } catch {
      if (i > 200 || child.exitCode !== null) throw new Error(`docker-registry did not start: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  return {
    host: `127.0.0.1:${port}`,
    url,
    ...(auth.kind === 'none' || auth.kind === 'realm' ? {} : { user }),
    ...(tokenHost ? { tokenHost } : {}),
    async stop() {
      child.kill('SIGTERM');
      if (tokenServer) await new Promise((resolve) => tokenServer?.close(resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** One notifications endpoint, as the README shows it; blob events are left out (noise to a receiver). */
function notificationsConfig(n: RegistryNotifications): string {
  return `notifications:
  endpoints:
    - name: imagestreams
      url: ${n.url}
      headers:
        Authorization: [Bearer ${n.bearer}]
      timeout: 5s
      threshold: 5
      backoff: 200ms
      ignoredmediatypes:
        - application/octet-stream
`;
}

/** Distribution's token protocol: Basic credentials in, an RS256 JWT granting the requested repository actions out. */
async function startTokenServer(
  port: number,
  keyPem: string,
  certPem: string,
  user: { username: string; password: string },
): Promise<Server> {
  const key = createPrivateKey(keyPem);
  const certDer = certPem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '');
  const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const [name, password] = basic ? Buffer.from(basic, 'base64').toString().split(':') : [];
    if (basic && !(name === user.username && password === user.password)) {
      res.writeHead(401).end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED' }] }));
      return;
    }
    // Anonymous callers get a token without access, as public registries do for private repositories.
    const scope = url.searchParams.get('scope') ?? '';
    const [type, repository, actions] = scope.split(':');
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', x5c: [certDer] };
    const claims = {
      iss: 'test-issuer',
      sub: name ?? '',
      aud: url.searchParams.get('service'),
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access: basic && type ? [{ type, name: repository, actions: (actions ?? '').split(',') }] : [],
    };
    const unsigned = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = createSign('RSA-SHA256').update(unsigned).sign(key).toString('base64url');
    const token = `${unsigned}.${signature}`;
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

export const sha256 = (data: Buffer | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;
