import { MalformedPatchError } from './errors.ts';

/** Deeper than any Kubernetes object we serve; bounds the recursion of the patch appliers. */
export const maxPatchDepth = 64;

/**
 * Refuses patch documents that could harm the process rather than the object: keys named `__proto__`
 * (no valid label, annotation or field name has that form) and nesting deeper than `maxPatchDepth`.
 * Iterative, so a hostile document cannot overflow the stack here.
 */
export function checkPatchDocument(patch: unknown): void {
  const pending: { value: unknown; depth: number }[] = [{ value: patch, depth: 0 }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value, depth } = next;
    if (value === null || typeof value !== 'object') continue;
    if (depth >= maxPatchDepth)
      throw new MalformedPatchError(`the patch is nested deeper than ${maxPatchDepth} levels`);
    if (Array.isArray(value)) {
      for (const item of value) pending.push({ value: item, depth: depth + 1 });
      continue;
    }
    for (const [key, item] of Object.entries(value)) {
      if (key === '__proto__') throw new MalformedPatchError('the patch names the forbidden key "__proto__"');
      pending.push({ value: item, depth: depth + 1 });
    }
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
