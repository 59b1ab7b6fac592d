import { ObjectIdentityChangedError } from './errors.ts';

/** What names an object: the URL it lives at and the kind it is. */
export interface ObjectIdentity {
  apiVersion: string;
  kind: string;
  name: string;
  /** Absent for cluster-wide kinds (Namespace). */
  namespace?: string;
}

/**
 * Throws when a patched (or PUT) object no longer names the object it was written to: a changed
 * `metadata.name` or `metadata.namespace` (kube-apiserver's 400 wording), or `apiVersion`/`kind`.
 * Absent fields are allowed: the router fills them in from the URL.
 */
export function checkIdentityUnchanged(object: unknown, identity: ObjectIdentity): void {
  const value = (object ?? {}) as { apiVersion?: unknown; kind?: unknown; metadata?: unknown };
  const metadata = (value.metadata ?? {}) as { name?: unknown; namespace?: unknown };
  if (metadata.name !== undefined && metadata.name !== identity.name)
    throw new ObjectIdentityChangedError(
      `the name of the object (${String(metadata.name)}) does not match the name on the URL (${identity.name})`,
    );
  if (metadata.namespace !== undefined && metadata.namespace !== (identity.namespace ?? ''))
    throw new ObjectIdentityChangedError(
      'the namespace of the provided object does not match the namespace sent on the request',
    );
  if (value.apiVersion !== undefined && value.apiVersion !== identity.apiVersion)
    throw new ObjectIdentityChangedError(
      `the apiVersion of the object (${String(value.apiVersion)}) does not match ${identity.apiVersion}`,
    );
  if (value.kind !== undefined && value.kind !== identity.kind)
    throw new ObjectIdentityChangedError(
      `the kind of the object (${String(value.kind)}) does not match ${identity.kind}`,
    );
}
