import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import httpRouterHandler from '@middy/http-router';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { Principal } from '../../core/access/principal.ts';
import { BadRequestError, PayloadTooLargeError } from '../../core/errors.ts';
import type { Dependencies } from './composition-root.ts';
import { errorResponse } from './error-response.ts';
import { principalFromEvent } from './principal-from-event.ts';
import { type ApiRoute, apiRoutes, type Operation } from './routes.ts';

interface ApiRequest {
  principal: Principal;
  namespace: string;
  name: string;
  body: unknown;
}

type Result = { status?: number; json?: unknown; text?: string };

/** Each route's use case: parse is done, authorisation is done, shape the response. */
type Services = Pick<Dependencies, 'service' | 'imports' | 'credentials' | 'triggers' | 'accessAdmin'>;

const operations: Record<Operation, (services: Services, request: ApiRequest) => Promise<Result>> = {
  listNamespaces: async ({ accessAdmin }, r) => ({ json: await accessAdmin.listNamespaces(r.principal) }),
  createNamespace: async ({ accessAdmin }, r) => ({
    status: 201,
    json: await accessAdmin.createNamespace(r.principal, r.body),
  }),
  getNamespace: async ({ accessAdmin }, r) => ({ json: await accessAdmin.getNamespace(r.namespace) }),
  listRoleBindings: async ({ accessAdmin }, r) => ({ json: await accessAdmin.listRoleBindings(r.namespace) }),
  createRoleBinding: async ({ accessAdmin }, r) => ({
    status: 201,
    json: await accessAdmin.putRoleBinding(r.namespace, undefined, r.body),
  }),
  getRoleBinding: async ({ accessAdmin }, r) => ({ json: await accessAdmin.getRoleBinding(r.namespace, r.name) }),
  replaceRoleBinding: async ({ accessAdmin }, r) => ({
    json: await accessAdmin.putRoleBinding(r.namespace, r.name, r.body),
  }),
  deleteRoleBinding: async ({ accessAdmin }, r) => ({ json: await accessAdmin.deleteRoleBinding(r.namespace, r.name) }),
  listImageStreams: async ({ service: s }, r) => ({ json: await s.listImageStreams(r.namespace) }),
  createImageStream: async ({ service: s }, r) => ({
    status: 201,
    json: await s.createImageStream(r.principal, r.namespace, r.body),
  }),
  getImageStream: async ({ service: s }, r) => ({ json: await s.getImageStream(r.namespace, r.name) }),
  replaceImageStream: async ({ service: s }, r) => ({
    json: await s.replaceImageStream(r.principal, r.namespace, r.name, r.body),
  }),
  deleteImageStream: async ({ service: s }, r) => ({ json: await s.deleteImageStream(r.namespace, r.name) }),
  describeImageStream: async ({ service: s }, r) => ({ text: await s.describeImageStream(r.namespace, r.name) }),
  listImageStreamTags: async ({ service: s }, r) => ({ json: await s.listImageStreamTags(r.namespace) }),
  getImageStreamTag: async ({ service: s }, r) => ({ json: await s.getImageStreamTag(r.namespace, r.name) }),
  putImageStreamTag: async ({ service: s }, r) => ({
    json: await s.putImageStreamTag(r.principal, r.namespace, r.name, r.body),
  }),
  deleteImageStreamTag: async ({ service: s }, r) => ({ json: await s.deleteImageStreamTag(r.namespace, r.name) }),
  describeImageStreamTag: async ({ service: s }, r) => ({ text: await s.describeImageStreamTag(r.namespace, r.name) }),
  getImageStreamImage: async ({ service: s }, r) => ({ json: await s.getImageStreamImage(r.namespace, r.name) }),
  createImageStreamImport: async ({ imports }, r) => ({
    status: 201,
    json: await imports.createImageStreamImport(r.principal, r.namespace, r.body),
  }),
  listTriggers: async ({ triggers }, r) => ({ json: await triggers.listTriggers(r.namespace) }),
  createTrigger: async ({ triggers }, r) => ({
    status: 201,
    json: await triggers.createTrigger(r.principal, r.namespace, r.body),
  }),
  getTrigger: async ({ triggers }, r) => ({ json: await triggers.getTrigger(r.namespace, r.name) }),
  replaceTrigger: async ({ triggers }, r) => ({
    json: await triggers.replaceTrigger(r.principal, r.namespace, r.name, r.body),
  }),
  deleteTrigger: async ({ triggers }, r) => ({ json: await triggers.deleteTrigger(r.namespace, r.name) }),
  listSecrets: async ({ credentials }, r) => ({ json: await credentials.listSecrets(r.namespace) }),
  createSecret: async ({ credentials }, r) => ({
    status: 201,
    json: await credentials.putSecret(r.namespace, undefined, r.body),
  }),
  getSecret: async ({ credentials }, r) => ({ json: await credentials.getSecret(r.namespace, r.name) }),
  replaceSecret: async ({ credentials }, r) => ({ json: await credentials.putSecret(r.namespace, r.name, r.body) }),
  deleteSecret: async ({ credentials }, r) => ({ json: await credentials.deleteSecret(r.namespace, r.name) }),
};

const methodsWithBody = new Set(['POST', 'PUT']);

/** The API Lambda: one middy chain for every route of `apiRoutes`. */
export function createApiHandler({
  service,
  imports,
  credentials,
  triggers,
  access,
  accessAdmin,
  logger,
  config,
}: Pick<
  Dependencies,
  'service' | 'imports' | 'credentials' | 'triggers' | 'access' | 'accessAdmin' | 'logger' | 'config'
>) {
  const jsonBody = httpJsonBodyParser();
  const route =
    (r: ApiRoute) =>
    async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
      const principal = await access.authorize(principalFromEvent(event), {
        verb: r.verb,
        resource: r.resource,
        namespace: pathParameter(event, 'namespace'),
      });
      const result = await operations[r.operation](
        { service, imports, credentials, triggers, accessAdmin },
        {
          principal,
          namespace: pathParameter(event, 'namespace'),
          name: pathParameter(event, 'name'),
          body: event.body,
        },
      );
      if (result.text !== undefined)
        return { statusCode: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: result.text };
      return {
        statusCode: result.status ?? 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(result.json),
      };
    };

  /** One structured line per write, allowed or not: who, what, the outcome. Bodies (which may hold secrets) are never logged. */
  const audit = (event: APIGatewayProxyEventV2, status: number) => {
    const method = event.requestContext.http.method;
    if (!methodsWithBody.has(method) && method !== 'DELETE') return;
    const principal = principalFromEvent(event);
    logger.info('audit', {
      audit: {
        user: principal?.user ?? null,
        groups: principal?.groups ?? [],
        method,
        path: event.requestContext.http.path,
        status,
        requestId: event.requestContext.requestId,
      },
    });
  };

  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>()
    .use(httpHeaderNormalizer())
    .use({
      before: (request) => {
        const event = request.event;
        if (!methodsWithBody.has(event.requestContext.http.method)) return;
        const size =
          event.body === undefined ? 0 : Buffer.byteLength(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
        if (size > config.maxBodyBytes) throw new PayloadTooLargeError(config.maxBodyBytes);
        return jsonBody.before?.(request as never);
      },
      after: (request) => audit(request.event, request.response?.statusCode ?? 200),
      onError: (request) => {
        const { response, internal } = errorResponse(request.error, request.context.awsRequestId);
        if (internal)
          logger.error('request failed', {
            requestId: request.context.awsRequestId,
            route: request.event.routeKey,
            error: request.error as Error,
          });
        request.response = response;
        audit(request.event, response.statusCode ?? 500);
      },
    })
    .handler(httpRouterHandler(apiRoutes.map((r) => ({ method: r.method, path: r.path, handler: route(r) }))) as never);
}

/** Path parameters arrive percent-encoded from the router in local mode and decoded from API Gateway. */
function pathParameter(event: APIGatewayProxyEventV2, name: string): string {
  const raw = event.pathParameters?.[name] ?? '';
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new BadRequestError(`the path parameter ${name} is not valid percent-encoding`);
  }
}
