import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { Principal } from '../../core/access/principal.ts';
import { PayloadTooLargeError } from '../../core/errors.ts';
import { basicCredentials } from '../lib/basic-credentials.ts';
import { errorResponse } from '../lib/error-response.ts';
import { streamingBodyOf } from '../lib/streaming-response.ts';
import type { WatchBody } from '../lib/watch-streams.ts';

export type ApiHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** API Gateway's own payload limit; the handler enforces the service's smaller one. */
const gatewayMaxBody = 10 * 1024 * 1024;

/** The server's certificate chain and key, PEM. */
export interface LocalTls {
  cert: string;
  key: string;
}

/**
 * Plays API Gateway on this machine, over HTTPS as in AWS (kubectl sends credentials only over TLS):
 * turns each request into a v2 (HTTP API) event, authenticates bearer tokens as a Lambda authorizer
 * would, and calls the same handler the Lambda runs.
 */
export function createLocalServer(
  handler: ApiHandler,
  tokens: ReadonlyMap<string, Principal>,
  tls: LocalTls,
  logger: Pick<Logger, 'error'>,
): Server {
  return createServer({ cert: tls.cert, key: tls.key }, async (req, res) => {
    try {
      const body = await readBody(req);
      if (body === undefined) {
        refuseTooLarge(req, res);
        return;
      }
      const event = toEvent(req, body, tokens);
      const result = await handler(event, lambdaContext(event.requestContext.requestId));
      const stream = streamingBodyOf(result);
      if (stream) return await pipeStream(res, result, stream);
      // As API Gateway does, a base64 body (a protobuf one) goes out as its bytes.
      const bytes = result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? '');
      res.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>).end(bytes);
    } catch (error) {
      logger.error('local server: request failed', { error: error as Error });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Internal Server Error' }));
    }
  });
}

/**
 * A streamed answer (a watch): headers at once, then each chunk as it is produced, with backpressure; the
 * body is aborted as soon as the client goes away, so nothing of it outlives the connection.
 */
async function pipeStream(res: ServerResponse, result: APIGatewayProxyStructuredResultV2, body: WatchBody) {
  const gone = new AbortController();
  res.once('close', () => gone.abort());
  res.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
  res.flushHeaders();
  try {
    for await (const chunk of body(gone.signal)) {
      if (!res.write(chunk)) await once(res, 'drain', { signal: gone.signal });
    }
  } catch (error) {
    if (!gone.signal.aborted) throw error;
  }
  res.end();
}

/** The body, or undefined as soon as it is known to exceed the gateway's limit (declared or counted). */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  if (Number(req.headers['content-length'] ?? 0) > gatewayMaxBody) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= gatewayMaxBody) return void chunks.push(chunk);
      req.off('data', onData).off('end', onEnd).off('error', reject);
      resolve(undefined);
    };
    const onEnd = () => resolve(Buffer.concat(chunks));
    req.on('data', onData).once('end', onEnd).once('error', reject);
  });
}

/**
 * A Kubernetes Status 413, then the connection closes. What the client still sends is discarded,
 * never kept; closing only once the client has stopped (or after a grace period) spares it a reset
 * that would hide the answer.
 */
function refuseTooLarge(req: IncomingMessage, res: ServerResponse): void {
  const { response } = errorResponse(new PayloadTooLargeError(gatewayMaxBody), randomUUID());
  const socket = req.socket;
  const grace = setTimeout(() => socket.destroy(), 10_000).unref();
  socket.once('close', () => clearTimeout(grace));
  // Node ends a `connection: close` answer with destroySoon(), which resets a client still sending;
  // ending our side only lets the client read the answer and stop on its own.
  socket.destroySoon = () => socket.end();
  req.resume();
  res.writeHead(response.statusCode ?? 413, { ...(response.headers as Record<string, string>), connection: 'close' });
  res.end(response.body);
}

function toEvent(req: IncomingMessage, body: Buffer, tokens: ReadonlyMap<string, Principal>): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(',') : value;
  }
  // An API token as a bearer token, or as the password of Basic credentials with any user name: what
  // `docker login -u any -p <token>` sends to the registry's token realm, which is this service.
  const token =
    /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '')?.[1] ?? basicCredentials(headers.authorization)?.password;
  const principal = token === undefined ? undefined : tokens.get(token);
  const now = new Date();
  const method = req.method ?? 'GET';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(url.search ? { queryStringParameters: Object.fromEntries(url.searchParams) } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      ...(principal ? { authorizer: { lambda: { user: principal.user, groups: principal.groups } } } : {}),
    },
    // As API Gateway does, a body that is not text (a protobuf one) arrives base64-encoded.
    ...(body.length
      ? isText(headers['content-type'])
        ? { body: body.toString('utf8'), isBase64Encoded: false }
        : { body: body.toString('base64'), isBase64Encoded: true }
      : { isBase64Encoded: false }),
  } as APIGatewayProxyEventV2;
}

function isText(contentType: string | undefined): boolean {
  return contentType === undefined || /^\s*(text\/|application\/([\w.-]+\+)?(json|yaml|xml))/i.test(contentType);
}

function lambdaContext(requestId: string): Context {
  return {
    awsRequestId: requestId,
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'imagestreams-api-local',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:imagestreams-api-local',
    memoryLimitInMB: '1024',
    logGroupName: 'local',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
