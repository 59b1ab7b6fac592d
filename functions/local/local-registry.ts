// Local mode's integrated registry: the CNCF distribution registry (Debian package docker-registry) as a
// child process, storing under the data folder, listening on loopback, and telling the service of every
// push through its notifications.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { registryTokenAuth } from './registry-token-auth.ts';

/** What the registry's configuration says; one function writes it (token auth goes in here too). */
export interface LocalRegistrySettings {
  /** Port on 127.0.0.1. */
  port: number;
  /** Where images are stored. */
  storageDir: string;
  /** The service's notifications endpoint (HTTPS). */
  notificationsUrl: string;
  /** Sent as `Authorization: Bearer <secret>` with every notification. */
  secret: string;
  /** Token authentication whose realm is the service (`serviceUrl`), checked against `certFile` (ensureRegistryTokenKey). */
  tokenAuth?: { serviceUrl: string; certFile: string };
}

/** The registry's config.yml for local mode. */
export function localRegistryConfig(settings: LocalRegistrySettings): string {
  // Pulls (the service's own verification among them) and blob uploads are not pushes of a tag: not sent.
  return `version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${JSON.stringify(settings.storageDir)}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:${settings.port}
  secret: ${randomBytes(24).toString('hex')}
${settings.tokenAuth ? registryTokenAuth(settings.tokenAuth.serviceUrl, settings.tokenAuth.certFile) : ''}notifications:
  endpoints:
    - name: imagestreams
      url: ${JSON.stringify(settings.notificationsUrl)}
      headers:
        Authorization: [${JSON.stringify(`Bearer ${settings.secret}`)}]
      timeout: 5s
      threshold: 5
      backoff: 1s
      ignore:
        mediatypes: [application/octet-stream]
        actions: [pull]
`;
}

/** The secret the registry's notifications carry, created once in the data folder (mode 0600). */
export async function notificationsSecret(dataDir: string): Promise<string> {
  const path = join(dataDir, 'registry-notifications-secret');
  try {
    const kept = (await readFile(path, 'utf8')).trim();
    if (kept.length >= 32) return kept;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(32).toString('hex');
  await writeFile(path, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/** The docker-registry executable on PATH, if any. */
export async function findRegistryBinary(path = process.env.PATH ?? ''): Promise<string | undefined> {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'docker-registry');
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** Whether nothing listens on 127.0.0.1:port yet. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

export interface LocalRegistry {
  /** host:port, what IMAGESTREAMS_REGISTRY names. */
  host: string;
  stop(): Promise<void>;
}

/**
 * Runs the registry with `localRegistryConfig` (written to the data folder) and waits until it answers.
 * Go reads the CA it trusts for the notifications endpoint from SSL_CERT_FILE: the local CA.
 */
export async function startLocalRegistry(options: {
  binary: string;
  dataDir: string;
  caFile: string;
  settings: Omit<LocalRegistrySettings, 'storageDir'>;
  onExit: (code: number | null, stderr: string) => void;
}): Promise<LocalRegistry> {
  const dir = join(options.dataDir, 'registry');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const configFile = join(dir, 'config.yml');
  await writeFile(configFile, localRegistryConfig({ ...options.settings, storageDir: join(dir, 'storage') }), {
    mode: 0o600,
  });
  const child: ChildProcess = spawn(options.binary, ['serve', configFile], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, SSL_CERT_FILE: options.caFile },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  let stopping = false;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      if (!stopping) options.onExit(code, stderr);
      resolve();
    }),
  );
  // Never outlive the service, whatever ends it.
  const kill = () => child.kill('SIGTERM');
  process.once('exit', kill);
  const host = `127.0.0.1:${options.settings.port}`;
  for (let i = 0; ; i++) {
    try {
      const response = await fetch(`http://${host}/v2/`);
      await response.arrayBuffer();
      break;
    } catch {
      if (child.exitCode !== null || i > 400) {
        kill();
        throw new Error(`docker-registry did not start: ${stderr.trim() || `exit code ${child.exitCode}`}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  return {
    host,
    async stop() {
      stopping = true;
      process.off('exit', kill);
      kill();
      await exited;
    },
  };
}

/** Whether `npm start` runs the registry, and where; or why not, in words for the banner. */
export type LocalRegistryPlan =
  | { on: true; binary: string; port: number; secret: string }
  | { on: false; why: string; hint?: string };

const defaultPort = 5000;

/**
 * Decides from the environment: `IMAGESTREAMS_LOCAL_REGISTRY=off` opts out, an IMAGESTREAMS_REGISTRY of
 * one's own is used as it is, and without docker-registry on PATH the feature is off. A busy port turns it
 * off too rather than moving it: history entries record the registry's host:port, so it must stay put.
 */
export async function planLocalRegistry(env: NodeJS.ProcessEnv, dataDir: string): Promise<LocalRegistryPlan> {
  if (/^(off|false|0|no)$/i.test(env.IMAGESTREAMS_LOCAL_REGISTRY ?? ''))
    return { on: false, why: 'turned off (IMAGESTREAMS_LOCAL_REGISTRY=off)' };
  if (env.IMAGESTREAMS_REGISTRY)
    return { on: false, why: `IMAGESTREAMS_REGISTRY names one of your own (${env.IMAGESTREAMS_REGISTRY})` };
  const text = env.IMAGESTREAMS_LOCAL_REGISTRY_PORT || String(defaultPort);
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535)
    throw new Error(
      `configuration: IMAGESTREAMS_LOCAL_REGISTRY_PORT must be a port number, not ${JSON.stringify(text)}`,
    );
  const binary = await findRegistryBinary(env.PATH);
  if (!binary)
    return {
      on: false,
      why: 'docker-registry is not installed',
      hint: 'install it (Debian, Ubuntu: apt-get install docker-registry) to push to streams',
    };
  if (!(await portIsFree(port)))
    return {
      on: false,
      why: `127.0.0.1:${port} is in use`,
      hint: 'free it or set IMAGESTREAMS_LOCAL_REGISTRY_PORT (keep the same one across starts)',
    };
  return { on: true, binary, port, secret: await notificationsSecret(dataDir) };
}
