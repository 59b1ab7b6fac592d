import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { decodeKubernetesProtobuf } from '../../core/kube/decode-kubernetes-protobuf.ts';
import { ProtobufDecodeError, ProtobufKindUnsupportedError } from '../../core/kube/errors.ts';

const ascii = (text: string) => [...Buffer.from(text)];

// `kubectl create namespace demo` with a label, written out by hand from the wire format (tag byte =
// field number << 3 | wire type 2 for every length-delimited field here).
const objectMeta = [
  0x0a,
  0x04,
  ...ascii('demo'), // 1 name
  0x42,
  0x00, // 8 creationTimestamp: an empty Time (zero)
  0x5a,
  0x0b,
  0x0a,
  0x03,
  ...ascii('env'),
  0x12,
  0x04,
  ...ascii('prod'), // 11 labels: one map entry {1 key, 2 value}
];
const namespace = [
  0x0a,
  objectMeta.length,
  ...objectMeta, // 1 metadata
  0x12,
  0x00, // 2 spec
  0x1a,
  0x00, // 3 status
];
const typeMeta = [0x0a, 0x02, ...ascii('v1'), 0x12, 0x09, ...ascii('Namespace')];
const handWrittenNamespace = Uint8Array.from([
  0x6b,
  0x38,
  0x73,
  0x00, // magic "k8s\0"
  0x0a,
  typeMeta.length,
  ...typeMeta, // 1 typeMeta
  0x12,
  namespace.length,
  ...namespace, // 2 raw
  0x1a,
  0x00, // 3 contentEncoding ""
  0x22,
  0x00, // 4 contentType ""
]);

// An independent encoder (protobufjs from .proto text written in the test) for the larger kinds.
const testRoot = protobuf.parse(`
  syntax = "proto2";
  message TypeMeta { optional string apiVersion = 1; optional string kind = 2; }
  message Unknown { optional TypeMeta typeMeta = 1; optional bytes raw = 2; optional string contentEncoding = 3; optional string contentType = 4; }
  message Time { optional int64 seconds = 1; optional int32 nanos = 2; }
  message ManagedFieldsEntry { optional string manager = 1; optional string operation = 2; optional Time time = 4; }
  message ObjectMeta { optional string name = 1; optional string namespace = 3; optional string selfLink = 4; optional Time creationTimestamp = 8; optional int64 deletionGracePeriodSeconds = 10; map<string,string> labels = 11; map<string,string> annotations = 12; repeated ManagedFieldsEntry managedFields = 17; }
  message Namespace { optional ObjectMeta metadata = 1; }
  message Secret { optional ObjectMeta metadata = 1; map<string,bytes> data = 2; optional string type = 3; map<string,string> stringData = 4; optional bool immutable = 5; }
  message Subject { optional string kind = 1; optional string apiGroup = 2; optional string name = 3; optional string namespace = 4; }
  message RoleRef { optional string apiGroup = 1; optional string kind = 2; optional string name = 3; }
  message RoleBinding { optional ObjectMeta metadata = 1; repeated Subject subjects = 2; optional RoleRef roleRef = 3; }
  message ResourceAttributes { optional string namespace = 1; optional string verb = 2; optional string group = 3; optional string version = 4; optional string resource = 5; optional string subresource = 6; optional string name = 7; }
  message NonResourceAttributes { optional string path = 1; optional string verb = 2; }
  message Spec { optional ResourceAttributes resourceAttributes = 1; optional NonResourceAttributes nonResourceAttributes = 2; }
  message SelfSubjectAccessReview { optional ObjectMeta metadata = 1; optional Spec spec = 2; }
`).root;

function envelope(apiVersion: string, kind: string, type: string, object: Record<string, unknown>): Uint8Array {
  const raw = testRoot.lookupType(type).encode(object).finish();
  const unknown = testRoot
    .lookupType('Unknown')
    .encode({ typeMeta: { apiVersion, kind }, raw, contentEncoding: '', contentType: '' })
    .finish();
  return Uint8Array.from([0x6b, 0x38, 0x73, 0x00, ...unknown]);
}

describe('decodeKubernetesProtobuf', () => {
  it('decodes a Namespace written by hand from the wire format', () => {
    expect(decodeKubernetesProtobuf(handWrittenNamespace)).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      object: {
        kind: 'Namespace',
        apiVersion: 'v1',
        metadata: { name: 'demo', creationTimestamp: null, labels: { env: 'prod' } },
        spec: {},
        status: {},
      },
    });
  });

  it('decodes a docker-registry Secret: data as base64, empty values kept in maps, empty fields dropped', () => {
    const config = '{"auths":{"quay.io":{"auth":"dTE6cDE="}}}';
    const body = envelope('v1', 'Secret', 'Secret', {
      metadata: { name: 'reg', namespace: 'demo', creationTimestamp: {} },
      data: { '.dockerconfigjson': Buffer.from(config), empty: Buffer.alloc(0) },
      type: 'kubernetes.io/dockerconfigjson',
      immutable: false,
    });
    expect(decodeKubernetesProtobuf(body).object).toEqual({
      kind: 'Secret',
      apiVersion: 'v1',
      metadata: { name: 'reg', namespace: 'demo', creationTimestamp: null },
      data: { '.dockerconfigjson': Buffer.from(config).toString('base64'), empty: '' },
      type: 'kubernetes.io/dockerconfigjson',
    });
  });

  it('decodes a RoleBinding as kubectl create rolebinding sends it (empty strings present on the wire)', () => {
    const body = envelope('rbac.authorization.k8s.io/v1', 'RoleBinding', 'RoleBinding', {
      metadata: { name: 'rb', namespace: 'demo', creationTimestamp: { seconds: 1795773600 } },
      subjects: [
        { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice', namespace: '' },
        { kind: 'ServiceAccount', apiGroup: '', name: 'ci', namespace: 'demo' },
      ],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
    });
    expect(decodeKubernetesProtobuf(body).object).toEqual({
      kind: 'RoleBinding',
      apiVersion: 'rbac.authorization.k8s.io/v1',
      metadata: { name: 'rb', namespace: 'demo', creationTimestamp: '2026-11-27T10:00:00Z' },
      subjects: [
        { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' },
        { kind: 'ServiceAccount', name: 'ci', namespace: 'demo' },
      ],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
    });
  });

  it('decodes a SelfSubjectAccessReview from kubectl auth can-i', () => {
    const body = envelope('authorization.k8s.io/v1', 'SelfSubjectAccessReview', 'SelfSubjectAccessReview', {
      metadata: { creationTimestamp: {} },
      spec: {
        resourceAttributes: {
          namespace: 'demo',
          verb: 'patch',
          group: 'image.openshift.io',
          version: '',
          resource: 'imagestreams',
          subresource: 'status',
          name: 'python',
        },
      },
    });
    expect(decodeKubernetesProtobuf(body).object).toEqual({
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: {
        resourceAttributes: {
          namespace: 'demo',
          verb: 'patch',
          group: 'image.openshift.io',
          resource: 'imagestreams',
          subresource: 'status',
          name: 'python',
        },
      },
    });
  });

  it('skips the fields it has no description of, whatever their wire type', () => {
    const body = envelope('v1', 'Namespace', 'Namespace', {
      metadata: {
        name: 'demo',
        selfLink: '/api/v1/namespaces/demo',
        deletionGracePeriodSeconds: 30,
        managedFields: [{ manager: 'kubectl', operation: 'Update', time: { seconds: 1 } }],
        labels: { team: 'a' },
      },
    });
    expect(decodeKubernetesProtobuf(body).object).toEqual({
      kind: 'Namespace',
      apiVersion: 'v1',
      metadata: { name: 'demo', labels: { team: 'a' } },
    });
  });

  it('keeps a label named __proto__ as a label of its own, not as the prototype of the labels', () => {
    const body = envelope('v1', 'Namespace', 'Namespace', {
      metadata: { name: 'demo', labels: { ['__proto__']: 'x', polluted: 'no' } },
    });
    const labels = (decodeKubernetesProtobuf(body).object.metadata as { labels: Record<string, unknown> }).labels;
    expect(Object.getPrototypeOf(labels)).toBe(Object.prototype);
    expect(Object.entries(labels)).toEqual([
      ['__proto__', 'x'],
      ['polluted', 'no'],
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses a known field of the wrong wire type, and a message longer than the one holding it, with a 400', () => {
    const wrapped = (raw: number[]) =>
      Uint8Array.from([0x6b, 0x38, 0x73, 0x00, 0x0a, typeMeta.length, ...typeMeta, 0x12, raw.length, ...raw]);
    // metadata.name (field 1) sent as a varint.
    expect(() => decodeKubernetesProtobuf(wrapped([0x0a, 0x02, 0x08, 0x01]))).toThrow(/wire type 0/);
    // metadata is 2 bytes long, its name claims 5.
    expect(() => decodeKubernetesProtobuf(wrapped([0x0a, 0x02, 0x0a, 0x05, ...ascii('demo!')]))).toThrow(
      ProtobufDecodeError,
    );
  });

  it('refuses a body without the k8s magic, a truncated body and garbage with a 400', () => {
    expect(() => decodeKubernetesProtobuf(Buffer.from('{"kind":"Namespace"}'))).toThrow(ProtobufDecodeError);
    expect(() => decodeKubernetesProtobuf(handWrittenNamespace.subarray(0, 30))).toThrow(ProtobufDecodeError);
    expect(() => decodeKubernetesProtobuf(Uint8Array.from([0x6b, 0x38, 0x73, 0x00, 0xff, 0xff, 0xff]))).toThrow(
      ProtobufDecodeError,
    );
    expect(() => decodeKubernetesProtobuf(Uint8Array.from([0x6b, 0x38, 0x73, 0x00]))).toThrow(/names no apiVersion/);
  });

  it('answers 415 for a kind it has no description of', () => {
    const body = envelope('v1', 'ConfigMap', 'ObjectMeta', {});
    const error = (() => {
      try {
        decodeKubernetesProtobuf(body);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ProtobufKindUnsupportedError);
    expect((error as ProtobufKindUnsupportedError).reason).toBe('UnsupportedMediaType');
  });
});
