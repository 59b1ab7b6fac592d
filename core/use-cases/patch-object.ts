import { ConflictError, objectModifiedMessage } from '../errors.ts';
import { applyJsonPatch } from '../kube/apply-json-patch.ts';
import { applyMergePatch } from '../kube/apply-merge-patch.ts';
import { applyStrategicMergePatch } from '../kube/apply-strategic-merge-patch.ts';
import { checkIdentityUnchanged, type ObjectIdentity } from '../kube/check-identity-unchanged.ts';
import { isPlainObject } from '../kube/check-patch-document.ts';
import { WriteOnlyFieldReadError } from '../kube/errors.ts';
import type { Clock } from '../ports.ts';
import { retryOnConflict } from '../streams/retry-on-conflict.ts';

/** The patch documents the API takes: RFC 7386 merge, RFC 6902 JSON patch, Kubernetes' strategic merge. */
export type PatchType = 'merge' | 'json' | 'strategic';

export interface PatchObjectOptions<T> {
  type: PatchType;
  /** The parsed patch document. */
  patch: unknown;
  /** The object the URL names: a patch may not change its name, namespace, apiVersion or kind. */
  identity: ObjectIdentity;
  /** The kind's plural, for the Conflict message. */
  resource: string;
  /** The object as it is now: as GET answers it, plus the write-only fields the service can open. NotFoundError when missing. */
  read: () => Promise<unknown>;
  /** The PUT use case: the same validation, concurrency, authorisation and events as a replace. */
  replace: (object: unknown) => Promise<T>;
  /** Top-level fields a JSON patch may write but never read through test, copy or move (a Secret's data). */
  writeOnly?: readonly string[];
  clock: Clock;
}

/**
 * PATCH as kube-apiserver does it: read the object, apply the patch, then replace it through the PUT path.
 * A patch that names a resourceVersion must name the current one (409 otherwise); one that does not is
 * re-applied to a fresh read when another write lands in between, as a PUT without a resourceVersion is.
 */
export async function patchObject<T>(options: PatchObjectOptions<T>): Promise<T> {
  if (options.type === 'json') checkWriteOnlyReads(options.patch, options.writeOnly ?? []);
  return retryOnConflict(
    async () => {
      const current = await options.read();
      const patched = applyPatch(options.type, current, options.patch);
      checkIdentityUnchanged(patched, options.identity);
      if (!isPlainObject(patched)) return options.replace(patched);
      const currentVersion = resourceVersionOf(current);
      const version = resourceVersionOf(patched);
      // A version the patch wrote that is not current is the client's conflict: re-reading would not resolve it.
      if (version !== undefined && version !== currentVersion)
        throw new ConflictError(options.resource, options.identity.name, objectModifiedMessage);
      // The version read, so that a write landing after the read makes the replace fail and this run again.
      const metadata = isPlainObject(patched.metadata) ? patched.metadata : {};
      const pinned =
        currentVersion === undefined
          ? patched
          : { ...patched, metadata: { ...metadata, resourceVersion: currentVersion } };
      return options.replace(pinned);
    },
    { clock: options.clock },
  );
}

function applyPatch(type: PatchType, current: unknown, patch: unknown): unknown {
  if (type === 'json') return applyJsonPatch(current, patch);
  if (type === 'strategic') return applyStrategicMergePatch(current, patch);
  return applyMergePatch(current, patch);
}

function resourceVersionOf(object: unknown): string | undefined {
  const metadata = isPlainObject(object) ? object.metadata : undefined;
  const version = isPlainObject(metadata) ? metadata.resourceVersion : undefined;
  return typeof version === 'string' ? version : undefined;
}

/** JSON patch operations that would reveal a write-only field: `test` on it, `copy`/`move` out of it, or of the whole object. */
function checkWriteOnlyReads(patch: unknown, writeOnly: readonly string[]): void {
  if (!Array.isArray(patch) || writeOnly.length === 0) return;
  const reads = (pointer: unknown) =>
    typeof pointer === 'string' &&
    (pointer === '' || writeOnly.some((field) => pointer === `/${field}` || pointer.startsWith(`/${field}/`)));
  patch.forEach((operation, index) => {
    if (!isPlainObject(operation)) return;
    const { op, path, from } = operation;
    const read = op === 'test' ? path : op === 'copy' || op === 'move' ? from : undefined;
    if (reads(read)) throw new WriteOnlyFieldReadError(index, String(op), String(read), writeOnly);
  });
}
