import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { isPlainObject } from './check-patch-document.ts';
import { metaSchemas, objectMetaRef } from './openapi-meta-schemas.ts';

type JsonSchema = Record<string, unknown>;
export type OpenApiVerb = 'get' | 'list' | 'create' | 'update' | 'patch' | 'delete';

/** One row of the router's resource table, as OpenAPI needs it. */
export interface OpenApiResource {
  /** '' for the core group (`/api/v1`). */
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  verbs: readonly OpenApiVerb[];
  /** The zod schema the service validates request bodies with. */
  schema: z.core.$ZodType;
  description: string;
  /** `spec.tags.importPolicy` → text: what `kubectl explain` prints for that field. */
  fieldDescriptions?: Readonly<Record<string, string>>;
  /** The (read-only) status, which the request schema leaves open. */
  statusSchema?: JsonSchema;
  /** Only Kubernetes' own kinds: kubectl computes strategic patches for kinds whose PATCH lists it. */
  strategicMergePatch?: boolean;
  /** components.schemas key; defaults to the reversed group, the version and the kind. */
  schemaName?: string;
}

export interface ServedDocument {
  body: string;
  /** Uppercase hex SHA-512 of the body, as kube-apiserver's OpenAPI handler computes it. */
  hash: string;
  /** Quoted `hash`. */
  etag: string;
}

export interface OpenApiDocuments {
  /** `GET /openapi/v3`: every group-version with a `serverRelativeURL` carrying `?hash=`. */
  index: ServedDocument;
  /** `GET /openapi/v3/<key>` by key `api/v1` or `apis/<group>/<version>`. */
  documents: ReadonlyMap<string, ServedDocument>;
}

/**
 * Builds the OpenAPI v3 index and one document per group-version, once, from the resource table: schemas
 * generated from the validation schemas, `x-kubernetes-group-version-kind` on schemas and operations, and the
 * `fieldValidation` parameter on writes (so default `kubectl apply` validates on the server and `kubectl
 * explain` works). Strategic merge is listed only where `strategicMergePatch` is set, so kubectl sends merge
 * patches for the image kinds and ours.
 */
export function buildOpenApiDocuments(resources: readonly OpenApiResource[], title = 'imagestreams'): OpenApiDocuments {
  const byGroupVersion = new Map<string, OpenApiResource[]>();
  for (const resource of resources) {
    const key = groupVersionKey(resource);
    byGroupVersion.set(key, [...(byGroupVersion.get(key) ?? []), resource]);
  }
  const documents = new Map<string, ServedDocument>();
  for (const [key, members] of [...byGroupVersion].sort(([a], [b]) => (a < b ? -1 : 1)))
    documents.set(key, served(groupVersionDocument(members, title)));
  const paths = Object.fromEntries(
    [...documents].map(([key, document]) => [key, { serverRelativeURL: `/openapi/v3/${key}?hash=${document.hash}` }]),
  );
  return { index: served({ paths }), documents };
}

function served(document: unknown): ServedDocument {
  const body = JSON.stringify(document);
  const hash = createHash('sha512').update(body).digest('hex').toUpperCase();
  return { body, hash, etag: `"${hash}"` };
}

function groupVersionKey(resource: OpenApiResource): string {
  return resource.group === '' ? `api/${resource.version}` : `apis/${resource.group}/${resource.version}`;
}

function schemaNameOf(resource: OpenApiResource): string {
  if (resource.schemaName) return resource.schemaName;
  const prefix = resource.group === '' ? 'io.k8s.api.core' : resource.group.split('.').reverse().join('.');
  return `${prefix}.${resource.version}.${resource.kind}`;
}

function groupVersionDocument(resources: readonly OpenApiResource[], title: string) {
  const schemas: Record<string, JsonSchema> = { ...metaSchemas };
  const paths: Record<string, unknown> = {};
  for (const resource of resources) {
    const name = schemaNameOf(resource);
    schemas[name] = kindSchema(resource);
    schemas[`${name}List`] = listSchema(resource, name);
    Object.assign(paths, resourcePaths(resource, name));
  }
  const version = resources[0]?.version ?? 'v1';
  return { openapi: '3.0.0', info: { title, version }, paths, components: { schemas } };
}

function gvk(resource: OpenApiResource, kind = resource.kind) {
  return { group: resource.group, kind, version: resource.version };
}

function kindSchema(resource: OpenApiResource): JsonSchema {
  const generated = z.toJSONSchema(resource.schema, {
    target: 'openapi-3.0',
    io: 'input',
    unrepresentable: 'any',
  }) as JsonSchema;
  const properties = { ...((generated.properties as Record<string, JsonSchema> | undefined) ?? {}) };
  const apiVersion = resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
  properties.apiVersion = { type: 'string', description: `APIVersion of this object: ${apiVersion}.` };
  properties.kind = { type: 'string', description: `Kind of this object: ${resource.kind}.` };
  properties.metadata = { allOf: [objectMetaRef], default: {}, description: "Standard object's metadata." };
  if ('status' in properties)
    properties.status = resource.statusSchema ?? {
      type: 'object',
      description: 'Most recently observed status, written by the server; read-only.',
    };
  const schema: JsonSchema = {
    description: resource.description,
    type: 'object',
    properties,
    'x-kubernetes-group-version-kind': [gvk(resource)],
  };
  for (const [path, description] of Object.entries(resource.fieldDescriptions ?? {}))
    describeField(schema, path.split('.'), description);
  delete (schema as { $schema?: unknown }).$schema;
  return schema;
}

/** Sets the description of the field at `path`, through object properties and array items. */
function describeField(schema: JsonSchema, path: readonly string[], description: string): void {
  let node: JsonSchema | undefined = schema;
  for (const segment of path) {
    while (node && node.type === 'array' && isPlainObject(node.items)) node = node.items as JsonSchema;
    const properties = node?.properties as Record<string, JsonSchema> | undefined;
    node = properties?.[segment];
  }
  if (!node) throw new Error(`no field ${path.join('.')} to describe`);
  node.description = description;
}

function listSchema(resource: OpenApiResource, itemName: string): JsonSchema {
  return {
    description: `A list of ${resource.kind} objects.`,
    type: 'object',
    required: ['items'],
    properties: {
      apiVersion: { type: 'string', description: 'APIVersion of this list.' },
      kind: { type: 'string', description: `Kind of this list: ${resource.kind}List.` },
      metadata: {
        allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta' }],
        default: {},
        description: 'Standard list metadata: resourceVersion, and continue for the next chunk.',
      },
      items: {
        type: 'array',
        items: { $ref: `#/components/schemas/${itemName}` },
        description: `The ${resource.plural}.`,
      },
    },
    'x-kubernetes-group-version-kind': [gvk(resource, `${resource.kind}List`)],
  };
}

const query = (name: string, description: string, type = 'string') => ({
  name,
  in: 'query',
  description,
  schema: { type, uniqueItems: true },
});
const fieldValidation = query(
  'fieldValidation',
  'How to treat unknown or duplicate fields in the body: Ignore, Warn or Strict (the default of kubectl).',
);
const dryRun = query('dryRun', 'All: validate and answer, store nothing.');
const fieldManager = query('fieldManager', 'The name of the writer (kubectl sends one).');
const listParameters = [
  query('labelSelector', 'Only objects whose labels match (k=v, k!=v, k in (a,b), k, !k).'),
  query('fieldSelector', 'Only objects whose metadata.name or metadata.namespace match.'),
  query('limit', 'At most this many objects; metadata.continue resumes.', 'integer'),
  query('continue', 'The token from the previous chunk’s metadata.continue.'),
  query('resourceVersion', 'The list version to start a watch from.'),
  query('watch', 'Stream changes as WatchEvents.', 'boolean'),
];
const statusResponse = {
  description: 'Status',
  content: {
    'application/json': { schema: { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Status' } },
  },
};

function resourcePaths(resource: OpenApiResource, name: string): Record<string, unknown> {
  const root = resource.group === '' ? `/api/${resource.version}` : `/apis/${resource.group}/${resource.version}`;
  const collection = resource.namespaced
    ? `${root}/namespaces/{namespace}/${resource.plural}`
    : `${root}/${resource.plural}`;
  const ref = (schema: string) => ({ $ref: `#/components/schemas/${schema}` });
  const json = (schema: string) => ({ content: { 'application/json': { schema: ref(schema) } } });
  const namespaceParameter = {
    name: 'namespace',
    in: 'path',
    required: true,
    description: 'The namespace.',
    schema: { type: 'string' },
  };
  const nameParameter = {
    name: 'name',
    in: 'path',
    required: true,
    description: `The name of the ${resource.kind}.`,
    schema: { type: 'string' },
  };
  const operation = (action: string, verb: string, extra: Record<string, unknown>) => ({
    operationId: `${verb}${resource.kind}`,
    description: `${verb} ${resource.kind}`,
    tags: [resource.group || 'core'],
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk(resource),
    ...extra,
  });
  const has = (verb: OpenApiVerb) => resource.verbs.includes(verb);

  const collectionItem: Record<string, unknown> = { parameters: resource.namespaced ? [namespaceParameter] : [] };
  if (has('list'))
    collectionItem.get = operation('list', 'list', {
      parameters: listParameters,
      responses: { '200': { description: 'OK', ...json(`${name}List`) }, '401': statusResponse },
    });
  if (has('create'))
    collectionItem.post = operation('post', 'create', {
      parameters: [dryRun, fieldManager, fieldValidation],
      requestBody: { required: true, ...json(name) },
      responses: {
        '200': { description: 'OK', ...json(name) },
        '201': { description: 'Created', ...json(name) },
        '401': statusResponse,
      },
    });

  const patchTypes = ['application/json-patch+json', 'application/merge-patch+json'];
  if (resource.strategicMergePatch) patchTypes.push('application/strategic-merge-patch+json');
  const objectItem: Record<string, unknown> = {
    parameters: resource.namespaced ? [nameParameter, namespaceParameter] : [nameParameter],
  };
  if (has('get'))
    objectItem.get = operation('get', 'read', {
      responses: { '200': { description: 'OK', ...json(name) }, '401': statusResponse },
    });
  if (has('update'))
    objectItem.put = operation('put', 'replace', {
      parameters: [dryRun, fieldManager, fieldValidation],
      requestBody: { required: true, ...json(name) },
      responses: { '200': { description: 'OK', ...json(name) }, '401': statusResponse },
    });
  if (has('patch'))
    objectItem.patch = operation('patch', 'patch', {
      parameters: [dryRun, fieldManager, fieldValidation],
      requestBody: {
        required: true,
        content: Object.fromEntries(patchTypes.map((type) => [type, { schema: { type: 'object' } }])),
      },
      responses: { '200': { description: 'OK', ...json(name) }, '401': statusResponse },
    });
  if (has('delete'))
    objectItem.delete = operation('delete', 'delete', {
      parameters: [dryRun],
      responses: { '200': statusResponse, '401': statusResponse },
    });

  return { [collection]: collectionItem, [`${collection}/{name}`]: objectItem };
}
