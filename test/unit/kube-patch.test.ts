import { describe, expect, it } from 'vitest';
import { applyJsonPatch } from '../../core/kube/apply-json-patch.ts';
import { applyMergePatch } from '../../core/kube/apply-merge-patch.ts';
import { applyStrategicMergePatch } from '../../core/kube/apply-strategic-merge-patch.ts';
import { checkIdentityUnchanged } from '../../core/kube/check-identity-unchanged.ts';
import {
  MalformedPatchError,
  ObjectIdentityChangedError,
  PatchNotApplicableError,
  PatchTooLargeError,
} from '../../core/kube/errors.ts';

const stream = () => ({
  apiVersion: 'image.openshift.io/v1',
  kind: 'ImageStream',
  metadata: { name: 'python', namespace: 'demo', labels: { app: 'python', team: 'a' } },
  spec: {
    lookupPolicy: { local: false },
    tags: [{ name: '3.12', from: { kind: 'DockerImage', name: 'python:3.12' } }],
  },
});

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describe('applyMergePatch', () => {
  it('merges maps, removes keys set to null and replaces lists (RFC 7386)', () => {
    const original = stream();
    const patched = applyMergePatch(original, {
      metadata: { labels: { team: null, tier: 'web' } },
      spec: { tags: [{ name: 'latest' }], lookupPolicy: { local: true } },
    });
    expect(patched).toEqual({
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStream',
      metadata: { name: 'python', namespace: 'demo', labels: { app: 'python', tier: 'web' } },
      spec: { lookupPolicy: { local: true }, tags: [{ name: 'latest' }] },
    });
    expect(original).toEqual(stream());
  });

  it('follows the RFC 7386 appendix examples', () => {
    expect(applyMergePatch({ a: 'b' }, { a: 'c' })).toEqual({ a: 'c' });
    expect(applyMergePatch({ a: 'b' }, { b: 'c' })).toEqual({ a: 'b', b: 'c' });
    expect(applyMergePatch({ a: 'b', b: 'c' }, { a: null })).toEqual({ b: 'c' });
    expect(applyMergePatch({ a: ['b'] }, { a: 'c' })).toEqual({ a: 'c' });
    expect(applyMergePatch({ a: 'foo' }, { a: { bb: { ccc: null } } })).toEqual({ a: { bb: {} } });
    expect(applyMergePatch({ e: null }, { a: 1 })).toEqual({ e: null, a: 1 });
    expect(applyMergePatch([1, 2], { a: 'b', c: null })).toEqual({ a: 'b' });
  });

  it('refuses a patch that is not an object, __proto__ keys and deep nesting', () => {
    expect(() => applyMergePatch(stream(), [1])).toThrow(MalformedPatchError);
    expect(() => applyMergePatch(stream(), 'x')).toThrow(MalformedPatchError);
    const hostile = JSON.parse('{"metadata":{"__proto__":{"polluted":true}}}');
    expect(() => applyMergePatch(stream(), hostile)).toThrow(/__proto__/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(() => applyMergePatch({}, nested(10_000))).toThrow(/nested deeper/);
  });
});

describe('applyJsonPatch', () => {
  it('applies add, remove, replace, move, copy and test (RFC 6902)', () => {
    const patched = applyJsonPatch(stream(), [
      { op: 'test', path: '/metadata/name', value: 'python' },
      { op: 'add', path: '/spec/tags/-', value: { name: 'latest' } },
      { op: 'replace', path: '/spec/lookupPolicy/local', value: true },
      { op: 'remove', path: '/metadata/labels/team' },
      { op: 'copy', from: '/metadata/labels/app', path: '/metadata/labels/copied' },
      { op: 'move', from: '/spec/tags/0', path: '/spec/tags/1' },
    ]);
    expect(patched).toEqual({
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStream',
      metadata: { name: 'python', namespace: 'demo', labels: { app: 'python', copied: 'python' } },
      spec: {
        lookupPolicy: { local: true },
        tags: [{ name: 'latest' }, { name: '3.12', from: { kind: 'DockerImage', name: 'python:3.12' } }],
      },
    });
  });

  it('unescapes ~1 and ~0 in pointers (annotation keys with slashes)', () => {
    const patched = applyJsonPatch({ metadata: { annotations: { 'a/b': '1', 'c~d': '2' } } }, [
      { op: 'replace', path: '/metadata/annotations/a~1b', value: 'x' },
      { op: 'remove', path: '/metadata/annotations/c~0d' },
    ]);
    expect(patched).toEqual({ metadata: { annotations: { 'a/b': 'x' } } });
  });

  it('applies all or nothing: a failing operation leaves the object unchanged and says which one failed', () => {
    const original = stream();
    expect(() =>
      applyJsonPatch(original, [
        { op: 'replace', path: '/spec/lookupPolicy/local', value: true },
        { op: 'test', path: '/metadata/name', value: 'ruby' },
      ]),
    ).toThrow(PatchNotApplicableError);
    expect(original).toEqual(stream());
    expect(() => applyJsonPatch(original, [{ op: 'remove', path: '/spec/nothere' }])).toThrow(/operation 0 \(remove/);
    expect(() => applyJsonPatch(original, [{ op: 'add', path: '/missing/parent/x', value: 1 }])).toThrow(
      PatchNotApplicableError,
    );
    expect(() => applyJsonPatch(original, [{ op: 'add', path: '/spec/tags/7', value: 1 }])).toThrow(
      PatchNotApplicableError,
    );
  });

  it('refuses malformed patches with a 400', () => {
    const malformed: unknown[] = [
      { op: 'add', path: '/a', value: 1 },
      [{ op: 'frobnicate', path: '/a' }],
      [{ op: 'add', value: 1 }],
      [{ op: 'add', path: 'no-slash', value: 1 }],
      [{ op: 'add', path: '/a~2b', value: 1 }],
      [{ op: 'replace', path: '/a' }],
      [{ op: 'move', path: '/a' }],
      [{ op: 'move', from: '/spec', path: '/spec/x' }],
      ['add'],
    ];
    for (const patch of malformed) expect(() => applyJsonPatch(stream(), patch)).toThrow(MalformedPatchError);
  });

  it('refuses hostile patches: __proto__, constructor/prototype, too many operations, deep values', () => {
    expect(() => applyJsonPatch({}, [{ op: 'add', path: '/__proto__/polluted', value: true }])).toThrow(
      MalformedPatchError,
    );
    expect(() => applyJsonPatch({}, JSON.parse('[{"op":"add","path":"/a","value":{"__proto__":{"x":1}}}]'))).toThrow(
      MalformedPatchError,
    );
    try {
      applyJsonPatch({}, [{ op: 'add', path: '/constructor/prototype/polluted', value: true }]);
    } catch {
      // refusing is as good as ignoring; what matters is below
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    const many = Array.from({ length: 10_001 }, () => ({ op: 'test', path: '/a', value: 1 }));
    expect(() => applyJsonPatch({ a: 1 }, many)).toThrow(PatchTooLargeError);
    expect(() => applyJsonPatch({}, [{ op: 'add', path: '/a', value: nested(100) }])).toThrow(/nested deeper/);
  });
});

describe('applyStrategicMergePatch', () => {
  const secret = () => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'reg', namespace: 'demo', labels: { a: '1', b: '2' }, finalizers: ['x', 'y'] },
    type: 'Opaque',
    data: { k1: 'djE=', k2: 'djI=' },
  });

  it('merges maps and deletes null keys like a merge patch; lists are replaced (RoleBinding subjects)', () => {
    const binding = {
      metadata: { name: 'rb' },
      subjects: [{ kind: 'User', name: 'alice' }],
      roleRef: { kind: 'ClusterRole', name: 'view' },
    };
    expect(
      applyStrategicMergePatch(binding, { subjects: [{ kind: 'User', name: 'bob' }], roleRef: { name: 'edit' } }),
    ).toEqual({
      metadata: { name: 'rb' },
      subjects: [{ kind: 'User', name: 'bob' }],
      roleRef: { kind: 'ClusterRole', name: 'edit' },
    });
    expect(applyStrategicMergePatch(secret(), { data: { k1: null, k3: 'djM=' } })).toMatchObject({
      data: { k2: 'djI=', k3: 'djM=' },
    });
  });

  it('honours $patch: replace and $patch: delete in a map', () => {
    expect(applyStrategicMergePatch(secret(), { data: { $patch: 'replace', only: 'b25seQ==' } })).toMatchObject({
      data: { only: 'b25seQ==' },
    });
    const deleted = applyStrategicMergePatch(secret(), { metadata: { labels: { $patch: 'delete' } } }) as {
      metadata: Record<string, unknown>;
    };
    expect(deleted.metadata).not.toHaveProperty('labels');
    expect(() => applyStrategicMergePatch(secret(), { data: { $patch: 'merge-please' } })).toThrow(MalformedPatchError);
  });

  it('honours $retainKeys: live keys not listed go; a patched key missing from the list is an error', () => {
    expect(applyStrategicMergePatch(secret(), { data: { $retainKeys: ['k2', 'k3'], k3: 'djM=' } })).toMatchObject({
      data: { k2: 'djI=', k3: 'djM=' },
    });
    expect((applyStrategicMergePatch(secret(), { data: { $retainKeys: ['k2'] } }) as { data: unknown }).data).toEqual({
      k2: 'djI=',
    });
    expect(() => applyStrategicMergePatch(secret(), { data: { $retainKeys: ['k2'], k3: 'x' } })).toThrow(
      /does not list "k3"/,
    );
    expect(() => applyStrategicMergePatch(secret(), { data: { $retainKeys: 'k2' } })).toThrow(MalformedPatchError);
  });

  it('accepts $setElementOrder and applies $deleteFromPrimitiveList', () => {
    const patched = applyStrategicMergePatch(secret(), {
      metadata: { '$setElementOrder/finalizers': ['y'], '$deleteFromPrimitiveList/finalizers': ['x'] },
    }) as { metadata: { finalizers: string[] } };
    expect(patched.metadata.finalizers).toEqual(['y']);
    expect(() => applyStrategicMergePatch(secret(), { metadata: { '$setElementOrder/finalizers': 'y' } })).toThrow(
      MalformedPatchError,
    );
    expect(() => applyStrategicMergePatch(secret(), { $frobnicate: 1 })).toThrow(/unknown directive/);
  });

  it('strips directives from values it takes whole', () => {
    expect(
      applyStrategicMergePatch({ metadata: { name: 'n' } }, { stringData: { $patch: 'replace', a: 'b', c: null } }),
    ).toEqual({ metadata: { name: 'n' }, stringData: { a: 'b' } });
  });

  it('refuses hostile patches', () => {
    expect(() => applyStrategicMergePatch(secret(), JSON.parse('{"data":{"__proto__":{"x":1}}}'))).toThrow(
      MalformedPatchError,
    );
    expect(() => applyStrategicMergePatch(secret(), nested(1000))).toThrow(MalformedPatchError);
  });
});

describe('checkIdentityUnchanged', () => {
  const identity = { apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', name: 'python', namespace: 'demo' };

  it('accepts the same identity or absent fields', () => {
    expect(() => checkIdentityUnchanged(stream(), identity)).not.toThrow();
    expect(() => checkIdentityUnchanged({ spec: {} }, identity)).not.toThrow();
  });

  it('refuses a changed name, namespace, apiVersion or kind with a 400', () => {
    const changed = [
      { metadata: { name: 'ruby' } },
      { metadata: { name: 'python', namespace: 'other' } },
      { apiVersion: 'v1' },
      { kind: 'ImageStreamTag' },
    ];
    for (const object of changed) {
      expect(() => checkIdentityUnchanged(object, identity)).toThrow(ObjectIdentityChangedError);
    }
    expect(() => checkIdentityUnchanged({ metadata: { name: 'ruby' } }, identity)).toThrow(
      'the name of the object (ruby) does not match the name on the URL (python)',
    );
    expect(new ObjectIdentityChangedError('x').reason).toBe('BadRequest');
  });
});
