import { existsSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { ApiStatusError, type Status } from './api-status-error.ts';
import { CliError } from './cli-error.ts';

export interface ConnectionFlags {
  kubeconfig?: string | undefined;
  context?: string | undefined;
  namespace?: string | undefined;
}

export interface RawResponse {
  status: number;
  headers: IncomingMessage['headers'];
  text: string;
}

export interface RequestOptionsIn {
  body?: unknown;
  accept?: string;
  contentType?: string;
}

const serviceAccountToken = '/var/run/secrets/kubernetes.io/serviceaccount/token';
/** Retries of a 429/503 that names a Retry-After in seconds, as client-go does (bounded lower here). */
const maxRetries = 5;

/**
 * The HTTPS client of the CLI: the cluster, user and namespace come from the kubeconfig as kubectl
 * reads it (KUBECONFIG with several files, --kubeconfig, --context, CA data, client certificates,
 * tokens, exec credential plugins), all through @kubernetes/client-node's KubeConfig. Credentials go
 * only to https servers, as kubectl sends them.
 */
export class KubeClient {
  readonly namespace: string;
  readonly server: string;
  private readonly config: KubeConfig;

  private constructor(config: KubeConfig, server: string, namespace: string) {
    this.config = config;
    this.server = server.replace(/\/+$/, '');
    this.namespace = namespace;
  }

  /** Loads the kubeconfig; a missing file, context or cluster is one clear CliError. */
  static load(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): KubeClient {
    const config = new KubeConfig();
    const explicit = flags.kubeconfig;
    try {
      if (explicit) {
        if (!existsSync(explicit))
          throw new CliError('kubeconfig.missing', `stat ${explicit}: no such file or directory`);
        config.loadFromFile(explicit);
      } else {
        const files = (env.KUBECONFIG ?? '').split(':').filter(Boolean);
        const home = join(env.HOME || homedir(), '.kube', 'config');
        const missing = files.find((file) => !existsSync(file));
        if (missing)
          throw new CliError('kubeconfig.missing', `stat ${missing}: no such file or directory (KUBECONFIG)`);
        if (!files.length && !existsSync(home) && !existsSync(serviceAccountToken))
          throw new CliError(
            'kubeconfig.missing',
            'no kubeconfig found: set KUBECONFIG, pass --kubeconfig, or write ~/.kube/config (npm start writes .data/kubeconfig)',
          );
        config.loadFromDefault();
      }
    } catch (error) {
      if (error instanceof CliError) throw error;
      throw new CliError('kubeconfig.invalid', `cannot read the kubeconfig: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (flags.context) {
      if (!config.getContextObject(flags.context))
        throw new CliError('kubeconfig.context', `context was not found for specified context: ${flags.context}`);
      config.setCurrentContext(flags.context);
    }
    const context = config.getContextObject(config.getCurrentContext());
    const cluster = config.getCurrentCluster();
    if (!context || !cluster?.server)
      throw new CliError(
        'kubeconfig.context',
        config.getCurrentContext()
          ? `the kubeconfig's current context "${config.getCurrentContext()}" names no cluster with a server`
          : 'the kubeconfig has no current context: pass --context or run kubectl config use-context',
      );
    return new KubeClient(config, cluster.server, flags.namespace || context.namespace || 'default');
  }

  /** Sends one request and answers whatever came back (a Status is not an error here). */
  async raw(method: string, path: string, options: RequestOptionsIn = {}): Promise<RawResponse> {
    const url = new URL(this.server + path);
    const secure = url.protocol === 'https:';
    const headers: Record<string, string> = {
      accept: options.accept ?? 'application/json',
      'user-agent': 'imagestreams-cli',
    };
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['content-type'] = options.contentType ?? 'application/json';
    }
    const requestOptions: RequestOptions & { rejectUnauthorized?: boolean } = { method, headers };
    if (secure) {
      try {
        await this.config.applyToHTTPSOptions(requestOptions);
      } catch (error) {
        throw new CliError('auth.credentials', `getting credentials: ${oneLine((error as Error).message)}`, {
          cause: error,
        });
      }
    }
    for (let attempt = 0; ; attempt++) {
      const response = await send(url, secure, requestOptions, body);
      const wait = Number(response.headers['retry-after']);
      if ((response.status === 429 || response.status === 503) && Number.isInteger(wait) && attempt < maxRetries) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(wait, 10) * 1000));
        continue;
      }
      return response;
    }
  }

  /** Sends one request and parses the JSON answer; a non-2xx answer throws ApiStatusError. */
  async json<T>(method: string, path: string, options: RequestOptionsIn = {}): Promise<T> {
    const response = await this.raw(method, path, options);
    if (response.status >= 300) throw statusError(response);
    try {
      return JSON.parse(response.text) as T;
    } catch {
      throw new CliError('api.malformed', `the server answered ${path} with something that is not JSON`);
    }
  }

  /** Sends one request and answers its text; a non-2xx answer throws ApiStatusError. */
  async text(method: string, path: string, options: RequestOptionsIn = {}): Promise<string> {
    const response = await this.raw(method, path, { accept: 'text/plain', ...options });
    if (response.status >= 300) throw statusError(response);
    return response.text;
  }
}

export function statusError(response: RawResponse): ApiStatusError {
  let status: Status = {};
  try {
    const parsed = JSON.parse(response.text) as Status;
    if (parsed && typeof parsed === 'object') status = parsed;
  } catch {
    status = { message: oneLine(response.text).slice(0, 300) || undefined };
  }
  return new ApiStatusError(response.status, status);
}

function send(
  url: URL,
  secure: boolean,
  options: RequestOptions,
  body: string | undefined,
): Promise<{ status: number; headers: IncomingMessage['headers']; text: string }> {
  return new Promise((resolve, reject) => {
    const request = (secure ? httpsRequest : httpRequest)(url, options, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error) => reject(connectionError(url, error)));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    request.on('error', (error) => reject(connectionError(url, error)));
    request.setTimeout(60_000, () => request.destroy(new Error('timed out after 60 s')));
    request.end(body);
  });
}

/** kubectl's wording for a server it cannot reach. */
function connectionError(url: URL, error: NodeJS.ErrnoException): CliError {
  if (error.code === 'ECONNREFUSED')
    return new CliError(
      'connection.refused',
      `The connection to the server ${url.host} was refused - did you specify the right host or port?`,
      { cause: error },
    );
  return new CliError('connection.failed', `Unable to connect to the server: ${oneLine(error.message)}`, {
    cause: error,
  });
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
