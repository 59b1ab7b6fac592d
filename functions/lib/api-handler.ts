import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { Principal } from '../../core/access/principal.ts';
import {
  BadRequestError,
  ForbiddenError,
  ImageStreamsError,
  InvalidError,
  MethodNotAllowedError,
  NotAcceptableError,
  NotFoundError,
  PayloadTooLargeError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
} from '../../core/errors.ts';
import type { NamedObject } from '../../core/kube/diff-snapshots.ts';
import { type ListRequest, wholeList } from '../../core/kube/list-request.ts';
import { withListVersion } from '../../core/kube/snapshot-version.ts';
import { basicCredentials } from './basic-credentials.ts';
import type { Dependencies } from './composition-root.ts';
import { deliverHook, deliverRegistryNotification } from './deliver-hook.ts';
import { resourceListDocument, rootDiscovery, type StaticDocument, versionDocument } from './discovery.ts';
import { errorResponse } from './error-response.ts';
import { importStatusCodes } from './import-status-codes.ts';
import { kubeGetAnswer } from './kube-get-answer.ts';
import { admits, contentTypeOf, type MediaRange, parseMediaTypes } from './media-types.ts';
import { patchRequest, patchTypeOf } from './patch-request.ts';
import { principalFromEvent } from './principal-from-event.ts';
import { type ResourceDefinition, resourceTable } from './resource-table.ts';
import { type ApiRoute, matchRoute, type Operation } from './routes.ts';
import { reviewSelfSubjectAccess } from './self-subject-access-review.ts';
import { streamingResponse } from './streaming-response.ts';
import { watchCollection } from './watch-collection.ts';
import { watchOperation } from './watch-route.ts';
import type { WatchBody, WatchStreams } from './watch-streams.ts';

interface ApiRequest {
  principal: Principal;
  namespace: string;
  name: string;
  body: unknown;
  path: string;
  accept: MediaRange[];
  /** The Accept header as sent, and the query parameters. */
  acceptHeader: string | undefined;
  query: Readonly<Record<string, string | undefined>>;
  /** The body's media type (without parameters). */
  contentType: string;
  /** The kind the route serves. */
  resource: ResourceDefinition | undefined;
  /** The page a list asks for (limit, continue, selectors); the whole list for other routes. */
  list: ListRequest;
  /** Lower-cased request headers. */
  headers: Record<string, string | undefined>;
  /** The query string as sent: repeated parameters (a token request's scopes) stay apart. */
  rawQuery: string;
}

type Result = {
  status?: number;
  json?: unknown;
  text?: string;
  document?: StaticDocument;
  stream?: WatchBody;
  headers?: Record<string, string>;
  /** A document whose body is base64 of its bytes. */
  binary?: StaticDocument;
};

/** The dependencies the routes' use cases are reached through. */
type ServiceName =
  | 'service'
  | 'imports'
  | 'credentials'
  | 'triggers'
  | 'access'
  | 'accessAdmin'
  | 'clock'
  | 'receivers'
  | 'pushes'
  | 'registryPushes'
  | 'registryTokens';

/** Each route's use case: parse is done, authorisation is done, shape the response. */
type Services = Pick<Dependencies, ServiceName> & {
  /** Watches, where the transport can stream a response (local mode); undefined behind API Gateway. */
  watches: WatchStreams | undefined;
  now: () => Date;
};

const created = async (json: Promise<unknown>): Promise<Result> => ({ status: 201, json: await json });

const operations: Record<Operation, (services: Services, request: ApiRequest) => Promise<Result>> = {
  healthz: async () => ({ text: 'ok' }),
  version: async () => ({ document: versionDocument() }),
  'discovery.api': async (_, r) => ({ document: negotiated(rootDiscovery('/api', r.accept)) }),
  'discovery.apis': async (_, r) => ({ document: negotiated(rootDiscovery('/apis', r.accept)) }),
  'discovery.resources': async (_, r) => ({ document: resourceListDocument(r.path) }),
  'openapi.index': async ({ clock }, r) => openApi(r, clock.now()),
  'openapi.document': async ({ clock }, r) => openApi(r, clock.now()),
  'openapi.v2': async () => ({ binary: (await import('./openapi.ts')).openApiV2Document() }),
  'namespaces.list': async ({ accessAdmin }, r) => ({ json: await accessAdmin.listNamespaces(r.principal, r.list) }),
  'namespaces.create': async ({ accessAdmin }, r) => created(accessAdmin.createNamespace(r.principal, r.body)),
  'namespaces.get': async ({ accessAdmin }, r) => ({ json: await accessAdmin.getNamespace(r.namespace) }),
  'rolebindings.list': async ({ accessAdmin }, r) => ({
    json: await accessAdmin.listRoleBindings(r.namespace, r.list),
  }),
  'rolebindings.create': async ({ accessAdmin }, r) =>
    created(accessAdmin.putRoleBinding(r.namespace, undefined, r.body)),
  'rolebindings.get': async ({ accessAdmin }, r) => ({ json: await accessAdmin.getRoleBinding(r.namespace, r.name) }),
  'rolebindings.update': async ({ accessAdmin }, r) => ({
    json: await accessAdmin.putRoleBinding(r.namespace, r.name, r.body),
  }),
  'rolebindings.patch': async ({ accessAdmin, clock }, r) => ({
    json: await patchRequest(
      r,
      clock,
      () => accessAdmin.getRoleBinding(r.namespace, r.name),
      (body) => accessAdmin.putRoleBinding(r.namespace, r.name, body),
    ),
  }),
  'rolebindings.delete': async ({ accessAdmin }, r) => ({
    json: await accessAdmin.deleteRoleBinding(r.namespace, r.name),
  }),
  'imagestreams.list': async ({ service: s }, r) => ({
    json: resumable(await s.listImageStreams(r.namespace, r.list), r),
  }),
  'imagestreams.watch': async (services, r) => watchCollection(services, r, 'imagestreams'),
  'imagestreams.create': async ({ service: s }, r) => created(s.createImageStream(r.principal, r.namespace, r.body)),
  'imagestreams.get': async ({ service: s }, r) => ({ json: await s.getImageStream(r.namespace, r.name) }),
  'imagestreams.update': async ({ service: s }, r) => ({
    json: await s.replaceImageStream(r.principal, r.namespace, r.name, r.body),
  }),
  'imagestreams.patch': async ({ service: s, clock }, r) => ({
    json: await patchRequest(
      r,
      clock,
      () => s.getImageStream(r.namespace, r.name),
      (body) => s.replaceImageStream(r.principal, r.namespace, r.name, body),
    ),
  }),
  'imagestreams.delete': async ({ service: s }, r) => ({ json: await s.deleteImageStream(r.namespace, r.name) }),
  'imagestreams/describe.get': async ({ service: s }, r) => ({
    text: await s.describeImageStream(r.namespace, r.name),
  }),
  'imagestreamtags.list': async ({ service: s }, r) => ({
    json: resumable(await s.listImageStreamTags(r.namespace, r.list), r),
  }),
  'imagestreamtags.watch': async (services, r) => watchCollection(services, r, 'imagestreamtags'),
  // `oc tag` POSTs the collection when its PUT gets a 404; the tag's name is the body's.
  'imagestreamtags.create': async ({ service: s }, r) =>
    created(s.putImageStreamTag(r.principal, r.namespace, bodyName(r.body, 'ImageStreamTag'), r.body)),
  'imagestreamtags.get': async ({ service: s }, r) => ({ json: await s.getImageStreamTag(r.namespace, r.name) }),
  'imagestreamtags.update': async ({ service: s }, r) => ({
    json: await s.putImageStreamTag(r.principal, r.namespace, r.name, r.body),
  }),
  'imagestreamtags.patch': async ({ service: s, clock }, r) => ({
    json: await patchRequest(
      r,
      clock,
      () => s.getImageStreamTag(r.namespace, r.name),
      (body) => s.putImageStreamTag(r.principal, r.namespace, r.name, body),
    ),
  }),
  'imagestreamtags.delete': async ({ service: s }, r) => ({ json: await s.deleteImageStreamTag(r.namespace, r.name) }),
  'imagestreamtags/describe.get': async ({ service: s }, r) => ({
    text: await s.describeImageStreamTag(r.namespace, r.name),
  }),
  'imagestreamimages.get': async ({ service: s }, r) => ({ json: await s.getImageStreamImage(r.namespace, r.name) }),
  'imagestreamimports.create': async ({ imports }, r) =>
    created(imports.createImageStreamImport(r.principal, r.namespace, r.body).then(importStatusCodes)),
  'imagetriggers.list': async ({ triggers }, r) => ({
    json: resumable(await triggers.listTriggers(r.namespace, r.list), r),
  }),
  'imagetriggers.watch': async (services, r) => watchCollection(services, r, 'imagetriggers'),
  'imagetriggers.create': async ({ triggers }, r) => created(triggers.createTrigger(r.principal, r.namespace, r.body)),
  'imagetriggers.get': async ({ triggers }, r) => ({ json: await triggers.getTrigger(r.namespace, r.name) }),
  'imagetriggers.update': async ({ triggers }, r) => ({
    json: await triggers.replaceTrigger(r.principal, r.namespace, r.name, r.body),
  }),
  'imagetriggers.patch': async ({ triggers, clock }, r) => ({
    json: await patchRequest(
      r,
      clock,
      () => triggers.getTrigger(r.namespace, r.name),
      (body) => triggers.replaceTrigger(r.principal, r.namespace, r.name, body),
    ),
  }),
  'imagetriggers.delete': async ({ triggers }, r) => ({ json: await triggers.deleteTrigger(r.namespace, r.name) }),
  'secrets.list': async ({ credentials }, r) => ({ json: await credentials.listSecrets(r.namespace, r.list) }),
  'secrets.create': async ({ credentials }, r) => created(credentials.putSecret(r.namespace, undefined, r.body)),
  'secrets.get': async ({ credentials }, r) => ({ json: await credentials.getSecret(r.namespace, r.name) }),
  'secrets.update': async ({ credentials }, r) => ({
    json: await credentials.putSecret(r.namespace, r.name, r.body),
  }),
  // A Secret's patch merges into its stored data, opened on the server; the answer never shows data.
  'secrets.patch': async ({ credentials, clock }, r) => ({
    json: await patchRequest(
      r,
      clock,
      () => credentials.openSecret(r.namespace, r.name),
      (body) => credentials.putSecret(r.namespace, r.name, body),
    ),
  }),
  'secrets.delete': async ({ credentials }, r) => ({ json: await credentials.deleteSecret(r.namespace, r.name) }),
  'selfsubjectaccessreviews.create': async ({ access }, r) =>
    created(reviewSelfSubjectAccess(access, r.principal, r.body)),
  'receivers.list': async ({ receivers }, r) => ({ json: await receivers.listReceivers(r.namespace, r.list) }),
  'receivers.create': async ({ receivers }, r) => created(receivers.createReceiver(r.namespace, r.body)),
  'receivers.get': async ({ receivers }, r) => ({ json: await receivers.getReceiver(r.namespace, r.name) }),
  'receivers.update': async ({ receivers }, r) => ({
    json: await receivers.replaceReceiver(r.namespace, r.name, r.body),
  }),
  'receivers.patch': async ({ receivers, clock }, r) => ({
    json: await patchRequest(
      r,
      clock,
      () => receivers.getReceiver(r.namespace, r.name),
      (body) => receivers.replaceReceiver(r.namespace, r.name, body),
    ),
  }),
  'receivers.delete': async ({ receivers }, r) => ({ json: await receivers.deleteReceiver(r.namespace, r.name) }),
  'hooks.deliver': async ({ pushes }, r) => deliverHook(pushes, r.name, r.headers, r.body as Buffer),
  'registry.notify': async ({ registryPushes }, r) =>
    deliverRegistryNotification(registryPushes, r.headers, r.body as Buffer),
  'registrytokens.create': async ({ registryTokens }, r) =>
    created(registryTokens.createRegistryToken(r.principal, r.namespace, r.body)),
  'registry.token': async ({ registryTokens }, r) => ({
    json: await registryTokens.realmToken(
      r.principal as Principal | undefined,
      basicCredentials(r.headers.authorization),
      new URLSearchParams(r.rawQuery).getAll('scope'),
    ),
  }),
};

const protobufType = 'application/vnd.kubernetes.protobuf';
/** The media types request bodies may be sent in: JSON, and protobuf for the kinds kubectl's typed commands send. */
const bodyTypes = ['application/json', protobufType];
const methodsWithBody = new Set(['POST', 'PUT', 'PATCH']);
const clusterWideLists = new Map<string, ResourceDefinition>(
  (resourceTable as readonly ResourceDefinition[])
    .filter((r) => r.namespaced && r.group !== '')
    .map((r) => [`/apis/${r.group}/${r.version}/${r.plural}`, r]),
);

/**
 * The API Lambda: one middy chain for every route of `apiRoutes`. `watches` only where the transport streams
 * responses (local mode); without it a watch gets a 405 Status saying so.
 */
export function createApiHandler(
  {
    service,
    imports,
    credentials,
    triggers,
    access,
    accessAdmin,
    logger,
    config,
    clock,
    continueTokens,
    receivers,
    pushes,
    registryPushes,
    registryTokens,
  }: Pick<Dependencies, ServiceName | 'logger' | 'config' | 'continueTokens'>,
  { watches }: { watches?: WatchStreams } = {},
) {
  const now = () => clock.now();
  const services: Services = {
    service,
    imports,
    credentials,
    triggers,
    access,
    accessAdmin,
    clock,
    watches,
    now,
    receivers,
    pushes,
    registryPushes,
    registryTokens,
  };
  const jsonBody = httpJsonBodyParser({ disableContentTypeCheck: true });

  /**
   * The edge, in this order: who is calling (before anything of the request is looked at beyond its
   * path), which route, what it may answer in, the body's size and type, then its JSON.
   */
  const handle = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const method = event.requestContext.http.method;
    const rawPath = event.rawPath ?? event.requestContext.http.path;
    const match = matchRoute(method, rawPath);
    const anonymous = match?.route?.access === 'anonymous';
    // An anonymous route may still be told who calls (the token realm grants by role when it knows).
    const caller = principalFromEvent(event);
    if (!anonymous && !caller) throw new UnauthorizedError();
    // kubectl's --as and --as-group: no one may impersonate here, and answering as the caller instead would
    // mislead (`kubectl auth can-i … --as=bob` would say what the caller may do).
    if (caller && Object.keys(event.headers ?? {}).some((name) => /^impersonate-/i.test(name)))
      throw new ForbiddenError('impersonation (kubectl --as, --as-group) is not supported by this server');
    if (!match) throw notFound(method, rawPath);
    if (!match.route) throw new MethodNotAllowedError(method, match.allowed, kindOf(matchRoute('GET', rawPath)?.route));
    const route = match.route;
    const operation = watchOperation(route, event.queryStringParameters) ?? route.operation;
    const accept = parseMediaTypes(event.headers?.accept);
    const isDiscoveryRoot = route.operation === 'discovery.api' || route.operation === 'discovery.apis';
    // A GET of a kind may answer a Table, and reads list parameters; other routes answer only what they produce.
    const answer = kubeGetAnswer(route, event, { continueTokens, clock }, match.params.namespace ?? '');
    if (!answer && !anonymous && !isDiscoveryRoot && accept.length && !accept.some((r) => admits(r, route.produces)))
      throw new NotAcceptableError([route.produces]);
    const contentType = contentTypeOf(event.headers?.['content-type']) ?? 'application/json';
    if (methodsWithBody.has(method)) {
      if (route.body === 'raw') rawBody(event);
      else await parseBody(event, method === 'PATCH' ? route : undefined);
    }

    const namespace = pathParameter(match.params, 'namespace');
    const principal =
      route.access === 'anonymous' || route.access === 'authenticated'
        ? caller
        : await access.authorize(caller, { ...route.access, namespace });
    const result = await operations[operation](services, {
      principal: principal as Principal,
      namespace,
      name: pathParameter(match.params, route.body === 'raw' ? 'token' : 'name'),
      body: event.body,
      path: rawPath,
      accept,
      acceptHeader: event.headers?.accept,
      query: event.queryStringParameters ?? {},
      contentType,
      resource: route.resource,
      list: answer?.list ?? wholeList,
      headers: event.headers ?? {},
      rawQuery: event.rawQueryString ?? '',
    });
    if (result.stream) return streamingResponse(result.stream);
    if (result.document) return documentResponse(result.document, event.headers?.['if-none-match'], result.headers);
    if (result.binary)
      return { ...documentResponse(result.binary, event.headers?.['if-none-match']), isBase64Encoded: true };
    if (result.text !== undefined)
      return { statusCode: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: result.text };
    return {
      statusCode: result.status ?? 200,
      headers: { 'content-type': 'application/json', ...result.headers },
      body: JSON.stringify(answer ? answer.render(result.json) : result.json),
    };
  };

  /** The bytes as sent, capped before anything reads them. */
  const rawBody = (event: APIGatewayProxyEventV2) => {
    const bytes = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
    if (bytes.length > config.maxHookBodyBytes) throw new PayloadTooLargeError(config.maxHookBodyBytes);
    (event as { body: unknown }).body = bytes;
  };

  /** `patch`: the PATCH route, whose body must be one of the patch types its kind takes. */
  const parseBody = async (event: APIGatewayProxyEventV2, patch: ApiRoute | undefined) => {
    const size =
      event.body === undefined ? 0 : Buffer.byteLength(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
    if (size > config.maxBodyBytes) throw new PayloadTooLargeError(config.maxBodyBytes);
    // kube-apiserver reads a body without a Content-Type as JSON; so do we.
    const type = contentTypeOf(event.headers?.['content-type']) ?? 'application/json';
    if (patch) patchTypeOf(type, patch.resource);
    else if (!bodyTypes.includes(type)) throw new UnsupportedMediaTypeError(bodyTypes);
    if (type === protobufType) {
      // kubectl create namespace|secret|rolebinding and auth can-i: decoded to the object the JSON would be.
      // Loaded on first use: protobufjs and its descriptors cost every cold start otherwise.
      const { decodeKubernetesProtobuf } = await import('../../core/kube/decode-kubernetes-protobuf.ts');
      const bytes = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
      (event as { body: unknown }).body = decodeKubernetesProtobuf(bytes).object;
      return;
    }
    jsonBody.before?.({ event } as never);
  };

  /** One structured line per write, allowed or not: who, what, the outcome. Bodies (which may hold secrets) are never logged. */
  const audit = (event: APIGatewayProxyEventV2, status: number) => {
    if (!config.auditLog) return;
    const method = event.requestContext.http.method;
    if (!methodsWithBody.has(method) && method !== 'DELETE') return;
    const principal = principalFromEvent(event);
    logger.info('audit', {
      audit: {
        user: principal?.user ?? null,
        groups: principal?.groups ?? [],
        method,
        path: loggedPath(event.requestContext.http.path),
        status,
        requestId: event.requestContext.requestId,
      },
    });
  };

  // Server-Timing: the handler's own share of a request's time, for clients and benchmarks to read.
  const started = new WeakMap<object, number>();
  const timed = (event: object, response: APIGatewayProxyStructuredResultV2 | undefined) => {
    const start = started.get(event);
    if (response && start !== undefined)
      response.headers = { ...response.headers, 'server-timing': `app;dur=${(performance.now() - start).toFixed(2)}` };
  };

  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>()
    .use({ before: (request) => void started.set(request.event, performance.now()) })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(httpHeaderNormalizer())
    .use({
      after: (request) => {
        timed(request.event, request.response);
        audit(request.event, request.response?.statusCode ?? 200);
      },
      onError: (request) => {
        const { response, internal } = errorResponse(request.error, request.context.awsRequestId);
        if (internal)
          logger.error('request failed', {
            requestId: request.context.awsRequestId,
            path: loggedPath(request.event.rawPath),
            error: request.error as Error,
          });
        request.response = response;
        timed(request.event, response);
        audit(request.event, response.statusCode ?? 500);
      },
    })
    .handler(handle);
}

/** A webhook token is a credential: logs name the route, not the token. */
function loggedPath(path: string | undefined): string | undefined {
  return path?.startsWith('/hooks/') ? '/hooks/{token}' : path;
}

function negotiated(document: StaticDocument | undefined): StaticDocument {
  if (!document)
    throw new NotAcceptableError([
      'application/json',
      'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
    ]);
  return document;
}

/**
 * OpenAPI v3 from memory; an old `?hash=` is redirected to the current document. The documents (and
 * protobufjs for v2) load with the first OpenAPI request: kubectl asks for them, other clients do not.
 */
async function openApi(request: ApiRequest, now: Date): Promise<Result> {
  const answer = (await import('./openapi.ts')).openApiAnswer(request.path, request.query, now);
  if (!answer) throw new NotFoundError('openapi', request.path);
  if ('redirect' in answer)
    return {
      status: 301,
      headers: { location: answer.redirect },
      json: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', message: answer.redirect, code: 301 },
    };
  return answer;
}

/** A document that never changes while the instance lives: a matching If-None-Match gets a 304. */
function documentResponse(
  document: StaticDocument,
  ifNoneMatch: string | undefined,
  extra: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  const headers = { 'content-type': document.contentType, etag: document.etag, vary: 'Accept', ...extra };
  const tags = (ifNoneMatch ?? '').split(',').map((tag) => tag.trim().replace(/^W\//, ''));
  if (tags.includes(document.etag) || tags.includes('*')) return { statusCode: 304, headers };
  return { statusCode: 200, headers, body: document.body };
}

function kindOf(route: ApiRoute | undefined): string | undefined {
  const r = route?.resource;
  return r ? (r.group ? `${r.plural}.${r.group}` : r.plural) : undefined;
}

function notFound(method: string, path: string): NotFoundError {
  const list = method === 'GET' ? clusterWideLists.get(path) : undefined;
  if (list)
    return new NotFoundError(
      list.plural,
      '',
      `listing ${list.plural}.${list.group} across all namespaces is not supported: name a namespace (-n)`,
    );
  return new ImageStreamsError('route.not_found', 'NotFound', 'the server could not find the requested resource');
}

/** The name of an object sent to a collection, for kinds whose use case takes it from the URL. */
function bodyName(body: unknown, kind: string): string {
  const name = (body as { metadata?: { name?: unknown } } | null)?.metadata?.name;
  if (typeof name !== 'string' || name === '')
    throw new InvalidError(kind, '', [
      { reason: 'FieldValueRequired', field: 'metadata.name', message: 'Required value' },
    ]);
  return name;
}

/** Path parameters arrive percent-encoded: the router matches raw segments. */
function pathParameter(params: Record<string, string>, name: string): string {
  const raw = params[name] ?? '';
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new BadRequestError(`the path parameter ${name} is not valid percent-encoding`);
  }
}

/**
 * A list answered in one page carries the digest of its (selected) items as its resourceVersion, the one a watch
 * with the same selectors resumes from (functions/lib/watch-streams.ts); a page of a longer list keeps the time
 * its first page was read, and a watch from that starts over (410 Expired, then the client lists again).
 */
function resumable<L extends { metadata: { continue?: string }; items: readonly NamedObject[] }>(
  list: L,
  r: Pick<ApiRequest, 'query'>,
): L {
  const { query } = r;
  if (query.continue || list.metadata.continue) return list;
  return withListVersion(list);
}
