import { checkPatchDocument, isPlainObject } from './check-patch-document.ts';
import { MalformedPatchError } from './errors.ts';

const patchDirective = '$patch';
const retainKeysDirective = '$retainKeys';
const setElementOrderPrefix = '$setElementOrder/';
const deleteFromPrimitiveListPrefix = '$deleteFromPrimitiveList/';

/**
 * Applies an `application/strategic-merge-patch+json` document to a Secret, Namespace or RoleBinding and
 * returns the new object; `target` is not changed. Those kinds' lists have no merge keys, so this is a merge
 * patch (lists replace, `null` removes) plus the directives of apimachinery's strategicpatch package:
 * `$patch: replace|delete` in a map, `$retainKeys` (drop the live keys not listed), `$setElementOrder/<list>`
 * (accepted; the patch's list order wins, as it does for lists that replace) and
 * `$deleteFromPrimitiveList/<list>` (remove those values from a list of scalars).
 */
export function applyStrategicMergePatch(target: unknown, patch: unknown): unknown {
  checkPatchDocument(patch);
  if (!isPlainObject(patch)) throw new MalformedPatchError('a strategic merge patch must be a JSON object');
  return mergeMap(isPlainObject(target) ? structuredClone(target) : {}, patch, '');
}

function mergeMap(original: Record<string, unknown>, patch: Record<string, unknown>, at: string) {
  if (Object.hasOwn(patch, patchDirective)) {
    const directive = patch[patchDirective];
    if (directive === 'replace') return withoutDirectives(patch, at);
    if (directive === 'delete') return {};
    throw new MalformedPatchError(
      `unexpected $patch ${JSON.stringify(directive)} at ${where(at)}: expected replace or delete`,
    );
  }
  retainKeys(original, patch, at);
  for (const [key, value] of Object.entries(patch)) {
    if (key === retainKeysDirective) continue;
    if (key.startsWith(setElementOrderPrefix)) {
      if (!Array.isArray(value)) throw new MalformedPatchError(`${key} at ${where(at)} must be a list`);
      continue;
    }
    if (key.startsWith(deleteFromPrimitiveListPrefix)) {
      deleteFromPrimitiveList(original, key.slice(deleteFromPrimitiveListPrefix.length), value, at);
      continue;
    }
    if (key.startsWith('$')) throw new MalformedPatchError(`unknown directive ${key} at ${where(at)}`);
    const path = at ? `${at}.${key}` : key;
    if (value === null) delete original[key];
    else if (isPlainObject(value) && value[patchDirective] === 'delete') delete original[key];
    else if (isPlainObject(value) && isPlainObject(original[key]))
      original[key] = mergeMap(original[key] as Record<string, unknown>, value, path);
    else original[key] = withoutDirectives(value, path);
  }
  return original;
}

function retainKeys(original: Record<string, unknown>, patch: Record<string, unknown>, at: string): void {
  if (!Object.hasOwn(patch, retainKeysDirective)) return;
  const keep = patch[retainKeysDirective];
  if (!Array.isArray(keep) || !keep.every((key) => typeof key === 'string'))
    throw new MalformedPatchError(`$retainKeys at ${where(at)} must be a list of field names`);
  const kept = new Set<string>(keep);
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$') || value === null) continue;
    if (!kept.has(key))
      throw new MalformedPatchError(
        `$retainKeys at ${where(at)} does not list ${JSON.stringify(key)}, which the patch sets`,
      );
  }
  for (const key of Object.keys(original)) if (!kept.has(key)) delete original[key];
}

function deleteFromPrimitiveList(original: Record<string, unknown>, field: string, values: unknown, at: string): void {
  if (!Array.isArray(values) || values.some((value) => isPlainObject(value) || Array.isArray(value)))
    throw new MalformedPatchError(`${deleteFromPrimitiveListPrefix}${field} at ${where(at)} must be a list of scalars`);
  const list = original[field];
  if (Array.isArray(list)) original[field] = list.filter((item) => !values.includes(item));
}

/** A value taken from the patch as it is (a new key or a replaced list): directives in it are resolved. */
function withoutDirectives(value: unknown, at: string): unknown {
  if (Array.isArray(value)) return value.map((item) => withoutDirectives(item, at));
  if (!isPlainObject(value)) return value;
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === patchDirective || key === retainKeysDirective || key.startsWith(setElementOrderPrefix)) continue;
    if (key.startsWith(deleteFromPrimitiveListPrefix)) continue;
    if (item === null || (isPlainObject(item) && item[patchDirective] === 'delete')) continue;
    result[key] = withoutDirectives(item, at ? `${at}.${key}` : key);
  }
  return result;
}

function where(at: string): string {
  return at === '' ? 'the top level' : at;
}
