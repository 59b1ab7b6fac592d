import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { imageStreamImportSchema } from '../../core/importing/import-schemas.ts';
import {
  buildOpenApiDocuments,
  type OpenApiDocuments,
  type OpenApiResource,
  type OpenApiVerb,
} from '../../core/kube/build-openapi-documents.ts';
import { imageStreamFieldDescriptions, imageStreamStatusSchema } from '../../core/kube/image-stream-openapi-docs.ts';
import { imageTriggerStatusSchema } from '../../core/kube/image-trigger-openapi-docs.ts';
import { receiverSchema } from '../../core/receivers/receiver-schema.ts';
import { registryTokenSchema } from '../../core/registry-tokens/registry-token-schema.ts';
import { imageStreamSchema, imageStreamTagSchema } from '../../core/streams/schemas.ts';
import { imageTriggerSchema } from '../../core/triggers/trigger-schema.ts';
import { namespaceSchema, roleBindingSchema } from '../../core/use-cases/access-service.ts';
import { secretSchema } from '../../core/use-cases/registry-credentials.ts';
import type { StaticDocument } from './discovery.ts';
import { type ResourceDefinition, type ResourceEntry, resourceTable } from './resource-table.ts';
import { selfSubjectAccessReviewSchema } from './self-subject-access-review.ts';

type SchemaName = Exclude<ResourceEntry['schema'], undefined>;

/** The zod schema behind each schema name of the resource table: what the service validates is what OpenAPI says. */
const schemas: Record<SchemaName, () => z.core.$ZodType> = {
  imageStreamSchema,
  imageStreamTagSchema,
  imageStreamImportSchema,
  imageTriggerSchema,
  receiverSchema,
  registryTokenSchema,
  namespaceSchema,
  secretSchema,
  roleBindingSchema,
  selfSubjectAccessReviewSchema,
};

/** What `kubectl explain <kind>` prints first; openshift/api's and Kubernetes' meaning, in our words. */
const descriptions: Record<string, string> = {
  ImageStream:
    'A stream of images, tracked by tag: each spec tag points at an image, another tag, or is imported from a registry; status keeps every tag’s history, newest first.',
  ImageStreamTag: 'One tag of an image stream: its spec entry (`oc tag`), its current image and its history.',
  ImageStreamImage: 'An image of a stream’s history, by digest (read-only).',
  ImageStreamImport: 'A request to import images into a stream (`oc import-image`); answered with what was imported.',
  ImageTrigger:
    'Extension of imagestreams (not in OpenShift): fires a target (webhook, build, deployment, event) once per new image of an ImageStreamTag.',
  Receiver:
    'Extension of imagestreams (not in OpenShift): where a registry posts its push notifications (status.webhookPath), so that the tags following the pushed repository are imported at once.',
  RegistryToken:
    'Extension of imagestreams (not in OpenShift; create-only, like TokenRequest): short-lived credentials to pull (image-puller, view) or push (edit) the repositories of named streams in the integrated registry, answered in status.',
  Namespace: 'A namespace: the scope of streams, secrets and role bindings.',
  Secret:
    'Registry credentials (kubernetes.io/dockerconfigjson) or other secret values (Opaque). Write-only: data and stringData are accepted, sealed at rest and never returned.',
  RoleBinding: 'Grants a ClusterRole (view, edit, admin or image-puller) in this namespace to users and groups.',
  SelfSubjectAccessReview: 'Asks whether the caller may perform an action (`kubectl auth can-i`).',
};

const openApiVerbs = new Set<string>(['get', 'list', 'create', 'update', 'patch', 'delete']);

function openApiResource(r: ResourceDefinition): OpenApiResource {
  const imageGroup = r.group === 'image.openshift.io';
  return {
    group: r.group,
    version: r.version,
    kind: r.kind,
    plural: r.plural,
    namespaced: r.namespaced,
    verbs: r.verbs.filter((verb): verb is OpenApiVerb => openApiVerbs.has(verb)),
    // Read-only kinds have no request schema: their document still names the kind, for explain.
    schema: r.schema === undefined ? z.object({}) : schemas[r.schema as SchemaName](),
    description: descriptions[r.kind] ?? r.kind,
    ...(r.strategicMergePatch ? { strategicMergePatch: true } : {}),
    ...(r.kind === 'ImageStream'
      ? { fieldDescriptions: imageStreamFieldDescriptions, statusSchema: imageStreamStatusSchema }
      : {}),
    ...(r.kind === 'ImageTrigger' ? { statusSchema: imageTriggerStatusSchema } : {}),
    // The names openshift/api and kube-openapi give these schemas.
    ...(imageGroup ? { schemaName: `com.github.openshift.api.image.v1.${r.kind}` } : {}),
    ...(r.group === 'rbac.authorization.k8s.io' ? { schemaName: `io.k8s.api.rbac.v1.${r.kind}` } : {}),
    ...(r.group === 'authorization.k8s.io' ? { schemaName: `io.k8s.api.authorization.v1.${r.kind}` } : {}),
  };
}

let built: OpenApiDocuments | undefined;

/** Built on the first request, not at import: most cold starts never serve OpenAPI. */
function documents(): OpenApiDocuments {
  built ??= buildOpenApiDocuments((resourceTable as readonly ResourceDefinition[]).map(openApiResource));
  return built;
}

const prefix = '/openapi/v3/';
const oneYearMs = 365 * 24 * 60 * 60 * 1000;

export type OpenApiAnswer = { document: StaticDocument; headers: Record<string, string> } | { redirect: string };

/**
 * `GET /openapi/v3` and `/openapi/v3/<api/v1|apis/g/v>` as kube-openapi's handler answers them: the
 * ETag is the document's hash; a URL with the current `?hash=` may be cached for good, one with an
 * old hash is sent to the current URL.
 */
export function openApiAnswer(
  path: string,
  query: Readonly<Record<string, string | undefined>>,
  now: Date,
): OpenApiAnswer | undefined {
  const all = documents();
  const key = path.startsWith(prefix) ? path.slice(prefix.length) : '';
  const served = path === '/openapi/v3' ? all.index : all.documents.get(key);
  if (!served) return undefined;
  const document = { body: served.body, contentType: 'application/json', etag: served.etag };
  const hash = query.hash;
  if (hash === null || path === '/openapi/v3') return { document, headers: {} };
  if (hash !== served.hash) return { redirect: `${path}?hash=${served.hash}` };
  return {
    document,
    headers: {
      'cache-control': 'public, immutable',
      expires: new Date(now.getTime() + oneYearMs).toUTCString(),
    },
  };
}

let v2: StaticDocument | undefined;

/**
 * `GET /openapi/v2`, which kubectl asks for in protobuf only, to validate `kind: List` files on the client
 * (reference §2): an OpenAPI v2 document with no definitions, so that it validates nothing there and the
 * server validates every item, as it does any write. The body is base64, as API Gateway sends binary.
 */
export function openApiV2Document(): StaticDocument {
  if (v2) return v2;
  // openapi_v2.Document (gnostic) with only field 1, `swagger`, set to "2.0": the key byte (field 1, wire
  // type 2: length-delimited), the length, the bytes of the string.
  const bytes = Buffer.from([(1 << 3) | 2, 3, ...Buffer.from('2.0')]);
  v2 = {
    body: bytes.toString('base64'),
    // kube-openapi answers with this spelling: Go's media type parser refuses the "@" of the one asked for.
    contentType: 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf',
    etag: `"${createHash('sha512').update(bytes).digest('hex').toUpperCase()}"`,
  };
  return v2;
}
