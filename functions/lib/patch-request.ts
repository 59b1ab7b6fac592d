import { UnsupportedMediaTypeError } from '../../core/errors.ts';
import type { ObjectIdentity } from '../../core/kube/check-identity-unchanged.ts';
import { ServerSideApplyUnsupportedError } from '../../core/kube/errors.ts';
import type { Clock } from '../../core/ports.ts';
import { type PatchType, patchObject } from '../../core/use-cases/patch-object.ts';
import type { ResourceDefinition } from './resource-table.ts';

const mergePatch = 'application/merge-patch+json';
const jsonPatch = 'application/json-patch+json';
const strategicMergePatch = 'application/strategic-merge-patch+json';
const applyPatch = 'application/apply-patch+yaml';

const patchTypes: Record<string, PatchType> = {
  [jsonPatch]: 'json',
  [mergePatch]: 'merge',
  [strategicMergePatch]: 'strategic',
};

/** The patch media types a kind takes: strategic merge only for Kubernetes' own kinds, as their OpenAPI says. */
function acceptedPatchTypes(resource: ResourceDefinition | undefined): string[] {
  return resource?.strategicMergePatch ? [jsonPatch, mergePatch, strategicMergePatch] : [jsonPatch, mergePatch];
}

/**
 * The kind of patch a PATCH's Content-Type names, or a 415 that says what the kind accepts. Server-side
 * apply is not served: its 415 says that client-side apply (`kubectl apply`) works.
 */
export function patchTypeOf(contentType: string, resource: ResourceDefinition | undefined): PatchType {
  const accepted = acceptedPatchTypes(resource);
  if (contentType === applyPatch) throw new ServerSideApplyUnsupportedError(accepted);
  const type = patchTypes[contentType];
  if (type === undefined || !accepted.includes(contentType)) throw new UnsupportedMediaTypeError(accepted);
  return type;
}

export interface PatchRequest {
  namespace: string;
  name: string;
  body: unknown;
  contentType: string;
  resource: ResourceDefinition | undefined;
}

/** The fields of a kind a JSON patch may write but never read. */
const writeOnlyFields: Record<string, readonly string[]> = { Secret: ['data', 'stringData'] };

/** PATCH on any kind: read it as `read` answers, patch it, replace it through `replace` (its PUT use case). */
export function patchRequest<T>(
  request: PatchRequest,
  clock: Clock,
  read: () => Promise<unknown>,
  replace: (object: unknown) => Promise<T>,
): Promise<T> {
  const resource = request.resource as ResourceDefinition;
  const identity: ObjectIdentity = {
    apiVersion: resource.group === '' ? resource.version : `${resource.group}/${resource.version}`,
    kind: resource.kind,
    name: request.name,
    ...(resource.namespaced ? { namespace: request.namespace } : {}),
  };
  return patchObject({
    type: patchTypeOf(request.contentType, resource),
    patch: request.body,
    identity,
    resource: resource.plural,
    read,
    replace,
    writeOnly: writeOnlyFields[resource.kind] ?? [],
    clock,
  });
}
