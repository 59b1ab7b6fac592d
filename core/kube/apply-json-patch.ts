import { applyPatch, type Operation } from 'rfc6902';
import { checkPatchDocument, isPlainObject } from './check-patch-document.ts';
import { MalformedPatchError, PatchNotApplicableError, PatchTooLargeError } from './errors.ts';

/** kube-apiserver's cap on the operations of one JSON patch. */
export const maxJsonPatchOperations = 10_000;

const operationNames = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);
// RFC 6901: "" or "/"-separated tokens in which "~" only starts "~0" or "~1".
const jsonPointer = /^(\/([^~/]|~[01])*)*$/;

/**
 * Applies an `application/json-patch+json` document (RFC 6902) and returns the new object; `target` is not
 * changed. The patch applies whole or not at all: the first failing operation throws.
 */
export function applyJsonPatch(target: unknown, patch: unknown): unknown {
  const operations = checkOperations(patch);
  const document = structuredClone(target);
  let results: ReturnType<typeof applyPatch>;
  try {
    results = applyPatch(document, operations);
  } catch {
    // rfc6902 throws (a TypeError) when an operation writes below a string or number. Its message quotes the
    // value it met, which may be a Secret's: say where, never what.
    throw new PatchNotApplicableError(
      'the JSON patch cannot be applied: a path goes below a value that is not an object or array',
    );
  }
  const failed = results.findIndex((result) => result !== null);
  if (failed >= 0) {
    const operation = operations[failed] as Operation;
    throw new PatchNotApplicableError(
      `the JSON patch cannot be applied: operation ${failed} (${operation.op} ${operation.path}): ${results[failed]?.message}`,
    );
  }
  return document;
}

function checkOperations(patch: unknown): Operation[] {
  if (!Array.isArray(patch)) throw new MalformedPatchError('a JSON patch must be a JSON array of operations');
  if (patch.length > maxJsonPatchOperations)
    throw new PatchTooLargeError(
      `The allowed maximum operations in a JSON patch is ${maxJsonPatchOperations}, got ${patch.length}`,
    );
  checkPatchDocument(patch);
  patch.forEach((operation, index) => {
    const bad = (why: string) => new MalformedPatchError(`the JSON patch's operation ${index} ${why}`);
    if (!isPlainObject(operation)) throw bad('is not an object');
    const { op, path, from } = operation;
    if (typeof op !== 'string' || !operationNames.has(op))
      throw bad(`has op ${JSON.stringify(op)}; expected one of add, remove, replace, move, copy, test`);
    if (typeof path !== 'string' || !jsonPointer.test(path)) throw bad(`has an invalid path ${JSON.stringify(path)}`);
    if (namesPrototype(path)) throw bad(`names a forbidden key (${forbiddenKeys.join(', ')})`);
    if (op === 'move' || op === 'copy') {
      if (typeof from !== 'string' || !jsonPointer.test(from)) throw bad(`has an invalid from ${JSON.stringify(from)}`);
      if (namesPrototype(from)) throw bad(`names a forbidden key (${forbiddenKeys.join(', ')})`);
      if (op === 'move' && path.startsWith(`${from}/`)) throw bad('moves a value into itself');
    }
    if ((op === 'add' || op === 'replace' || op === 'test') && !Object.hasOwn(operation, 'value'))
      throw bad('has no value');
  });
  return patch as Operation[];
}

/**
 * Keys a path may not name. rfc6902 skips `constructor` and `prototype` tokens instead of following them
 * (`/constructor/data` reaches `/data`), so a path naming them would not mean what it says: refuse them with
 * `__proto__`, which no Kubernetes object of ours has as a key.
 */
const forbiddenKeys = ['__proto__', 'constructor', 'prototype'];

function namesPrototype(pointer: string): boolean {
  return pointer.split('/').some((token) => forbiddenKeys.includes(token.replace(/~1/g, '/').replace(/~0/g, '~')));
}
