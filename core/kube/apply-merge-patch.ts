import { checkPatchDocument, isPlainObject } from './check-patch-document.ts';
import { MalformedPatchError } from './errors.ts';

/**
 * Applies an `application/merge-patch+json` document (RFC 7386) and returns the new object; `target` is not
 * changed. Objects merge key by key, `null` removes a key, anything else (arrays included) replaces.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  checkPatchDocument(patch);
  if (!isPlainObject(patch)) throw new MalformedPatchError('a merge patch must be a JSON object');
  return merge(target, patch);
}

function merge(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = merge(result[key], value);
  }
  return result;
}
