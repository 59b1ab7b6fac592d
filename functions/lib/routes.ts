import type { Resource, Verb } from '../../core/access/authorize.ts';
import {
  accessVerbs,
  groupVersionPrefix,
  groupVersions,
  type KubeVerb,
  type ResourceEntry,
  resourceTable,
} from './resource-table.ts';

type VerbOperation<R> = R extends ResourceEntry ? `${R['plural']}.${R['verbs'][number]}` : never;
type SubresourceOperation<R> = R extends ResourceEntry
  ? `${R['plural']}/${R['subresources'][number]['name']}.get`
  : never;

/** What a route does: `<plural>.<verb>` and `<plural>/<subresource>.get` for the kinds of the table, plus discovery. */
export type Operation =
  | VerbOperation<ResourceEntry>
  | SubresourceOperation<ResourceEntry>
  | 'discovery.api'
  | 'discovery.apis'
  | 'discovery.resources'
  | 'openapi.index'
  | 'openapi.document'
  | 'openapi.v2'
  | 'version'
  | 'healthz'
  | 'hooks.deliver'
  | 'registry.notify'
  | 'registry.token';

/** Who may call a route: whoever the access policy lets do `verb` on `resource`, any authenticated caller, or anyone. */
export type RouteAccess = { verb: Verb; resource: Resource } | 'authenticated' | 'anonymous';

export interface ApiRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** An API Gateway route path: `{namespace}` and `{name}` stand for one path segment each. */
  path: string;
  operation: Operation;
  access: RouteAccess;
  /** The media type the route answers in. */
  produces: 'application/json' | 'text/plain' | typeof openApiV2Type;
  /** The kind the route serves, for messages (405) and error details; undefined for discovery. */
  resource: ResourceEntry | undefined;
  /** `raw`: the body reaches the operation as sent (size-capped, not parsed), for senders that sign their bytes. */
  body?: 'raw';
  /** Served in local mode only: sst.config.ts creates no API Gateway route for it. */
  localOnly?: true;
}

/** Where the registry sends clients for a bearer token (its `auth.token.realm`, below the service's URL). */
export const registryTokenPath = '/registry/token';

/** The only form kubectl asks OpenAPI v2 in. */
export const openApiV2Type = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

const methods: Partial<Record<KubeVerb, { method: ApiRoute['method']; on: 'collection' | 'item' }>> = {
  list: { method: 'GET', on: 'collection' },
  create: { method: 'POST', on: 'collection' },
  deletecollection: { method: 'DELETE', on: 'collection' },
  get: { method: 'GET', on: 'item' },
  update: { method: 'PUT', on: 'item' },
  patch: { method: 'PATCH', on: 'item' },
  delete: { method: 'DELETE', on: 'item' },
};

function resourceRoutes(r: ResourceEntry): ApiRoute[] {
  const prefix = groupVersionPrefix(r.group, r.version);
  const collection = r.namespaced ? `${prefix}/namespaces/{namespace}/${r.plural}` : `${prefix}/${r.plural}`;
  // A namespace's own path names it `{namespace}`, as the paths below it do: one name per position.
  const item = `${collection}/${r.plural === 'namespaces' ? '{namespace}' : '{name}'}`;
  const access = (verb: KubeVerb): RouteAccess =>
    r.access === undefined ? 'authenticated' : { verb: accessVerbs[verb], resource: r.access };
  const routes: ApiRoute[] = [];
  for (const verb of r.verbs as readonly KubeVerb[]) {
    const http = methods[verb];
    if (!http) continue; // watch is a list with ?watch=true
    routes.push({
      method: http.method,
      path: http.on === 'collection' ? collection : item,
      operation: `${r.plural}.${verb}` as Operation,
      access: access(verb),
      produces: 'application/json',
      resource: r,
    });
  }
  for (const sub of r.subresources as readonly { name: string; produces: 'text/plain' }[]) {
    routes.push({
      method: 'GET',
      path: `${item}/${sub.name}`,
      operation: `${r.plural}/${sub.name}.get` as Operation,
      access: access('get'),
      produces: sub.produces,
      resource: r,
    });
  }
  return routes;
}

const discovery = (path: string, operation: Operation): ApiRoute => ({
  method: 'GET',
  path,
  operation,
  access: 'authenticated',
  produces: 'application/json',
  resource: undefined,
});

/**
 * Every route of the HTTPS API, derived once from the resource table: sst.config.ts creates the API
 * Gateway routes from it, the Lambda's router dispatches on it, and each route names what it needs
 * to be authorised for.
 */
export const apiRoutes: readonly ApiRoute[] = [
  { ...discovery('/healthz', 'healthz'), access: 'anonymous', produces: 'text/plain' },
  discovery('/version', 'version'),
  discovery('/api', 'discovery.api'),
  discovery('/apis', 'discovery.apis'),
  ...groupVersions.map((gv) => discovery(gv.prefix, 'discovery.resources')),
  discovery('/openapi/v3', 'openapi.index'),
  { ...discovery('/openapi/v2', 'openapi.v2'), produces: openApiV2Type },
  ...groupVersions.map((gv) => discovery(`/openapi/v3${gv.prefix}`, 'openapi.document')),
  ...resourceTable.flatMap(resourceRoutes),
  // Registry push notifications: no principal (registries cannot send one); the token in the path and the
  // sender's signature are checked by the operation, and refusals all look alike.
  {
    method: 'POST',
    path: '/hooks/{token}',
    operation: 'hooks.deliver',
    access: 'anonymous',
    produces: 'application/json',
    resource: undefined,
    body: 'raw',
  },
  // The integrated registry's notifications (local mode's CNCF registry; ECR's pushes come as events): no
  // principal either; the operation checks the shared secret the registry sends.
  {
    method: 'POST',
    path: '/registry/notifications',
    operation: 'registry.notify',
    access: 'anonymous',
    produces: 'application/json',
    resource: undefined,
    body: 'raw',
    localOnly: true,
  },
  // The local registry's token realm (distribution's token protocol): no principal is needed at the route, as
  // anonymous clients get a token that grants nothing; Basic credentials are checked by the operation. ECR
  // authenticates on its own, so AWS has no such route.
  {
    method: 'GET',
    path: registryTokenPath,
    operation: 'registry.token',
    access: 'anonymous',
    produces: 'application/json',
    resource: undefined,
    localOnly: true,
  },
];

export type RouteMatch =
  | { route: ApiRoute; params: Record<string, string> }
  | { route: undefined; allowed: ApiRoute['method'][] };

const compiled = apiRoutes.map((route) => ({ route, segments: route.path.split('/') }));

/**
 * The route for a method and a raw (still percent-encoded) path, with its raw parameters; when the
 * path is known but not the method, the methods it allows; undefined for an unknown path.
 */
export function matchRoute(method: string, rawPath: string): RouteMatch | undefined {
  const segments = rawPath.split('/');
  const allowed: ApiRoute['method'][] = [];
  for (const { route, segments: template } of compiled) {
    if (template.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matches = template.every((part, i) => {
      const actual = segments[i] ?? '';
      if (part.startsWith('{')) {
        params[part.slice(1, -1)] = actual;
        return actual !== '';
      }
      return part === actual;
    });
    if (!matches) continue;
    if (route.method === method) return { route, params };
    if (!allowed.includes(route.method)) allowed.push(route.method);
  }
  return allowed.length ? { route: undefined, allowed } : undefined;
}
