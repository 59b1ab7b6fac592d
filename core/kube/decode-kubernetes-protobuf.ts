import protobuf from 'protobufjs/minimal.js';
import { isPlainObject } from './check-patch-document.ts';
import { ProtobufDecodeError, ProtobufKindUnsupportedError } from './errors.ts';

// Minimal descriptions of the messages kubectl's typed commands send. Field numbers are facts of the wire
// format, from k8s.io/apimachinery pkg/runtime and pkg/apis/meta/v1, and k8s.io/api core/v1, rbac/v1 and
// authorization/v1 generated.proto. Fields we do not need (managedFields, conditions…) are skipped as unknown.
interface FieldDescriptor {
  id: number;
  /** A scalar (`string`, `bytes`, `bool`, `int32`, `int64`) or the name of a message below. */
  type: string;
  rule?: 'repeated';
  /** A map (`map<string, type>`): on the wire, repeated entries of key 1 and value 2. */
  keyType?: 'string';
}
const stringField = (id: number): FieldDescriptor => ({ type: 'string', id });
const repeatedStrings = (id: number): FieldDescriptor => ({ rule: 'repeated', type: 'string', id });
const stringMap = (id: number): FieldDescriptor => ({ keyType: 'string', type: 'string', id });
const message = (id: number, type: string): FieldDescriptor => ({ type, id });

const descriptor: Record<string, { fields: Record<string, FieldDescriptor> }> = {
  Unknown: {
    fields: {
      typeMeta: message(1, 'TypeMeta'),
      raw: { type: 'bytes', id: 2 },
      contentEncoding: stringField(3),
      contentType: stringField(4),
    },
  },
  TypeMeta: { fields: { apiVersion: stringField(1), kind: stringField(2) } },
  Time: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
  OwnerReference: {
    fields: {
      kind: stringField(1),
      name: stringField(3),
      uid: stringField(4),
      apiVersion: stringField(5),
      controller: { type: 'bool', id: 6 },
      blockOwnerDeletion: { type: 'bool', id: 7 },
    },
  },
  ObjectMeta: {
    fields: {
      name: stringField(1),
      generateName: stringField(2),
      namespace: stringField(3),
      uid: stringField(5),
      resourceVersion: stringField(6),
      generation: { type: 'int64', id: 7 },
      creationTimestamp: message(8, 'Time'),
      deletionTimestamp: message(9, 'Time'),
      labels: stringMap(11),
      annotations: stringMap(12),
      ownerReferences: { rule: 'repeated', type: 'OwnerReference', id: 13 },
      finalizers: repeatedStrings(14),
    },
  },
  Namespace: {
    fields: {
      metadata: message(1, 'ObjectMeta'),
      spec: message(2, 'NamespaceSpec'),
      status: message(3, 'NamespaceStatus'),
    },
  },
  NamespaceSpec: { fields: { finalizers: repeatedStrings(1) } },
  NamespaceStatus: { fields: { phase: stringField(1) } },
  Secret: {
    fields: {
      metadata: message(1, 'ObjectMeta'),
      data: { keyType: 'string', type: 'bytes', id: 2 },
      type: stringField(3),
      stringData: stringMap(4),
      immutable: { type: 'bool', id: 5 },
    },
  },
  RoleBinding: {
    fields: {
      metadata: message(1, 'ObjectMeta'),
      subjects: { rule: 'repeated', type: 'Subject', id: 2 },
      roleRef: message(3, 'RoleRef'),
    },
  },
  Subject: {
    fields: { kind: stringField(1), apiGroup: stringField(2), name: stringField(3), namespace: stringField(4) },
  },
  RoleRef: { fields: { apiGroup: stringField(1), kind: stringField(2), name: stringField(3) } },
  SelfSubjectAccessReview: {
    fields: { metadata: message(1, 'ObjectMeta'), spec: message(2, 'SelfSubjectAccessReviewSpec') },
  },
  SelfSubjectAccessReviewSpec: {
    fields: {
      resourceAttributes: message(1, 'ResourceAttributes'),
      nonResourceAttributes: message(2, 'NonResourceAttributes'),
    },
  },
  ResourceAttributes: {
    fields: {
      namespace: stringField(1),
      verb: stringField(2),
      group: stringField(3),
      version: stringField(4),
      resource: stringField(5),
      subresource: stringField(6),
      name: stringField(7),
      fieldSelector: message(8, 'SelectorAttributes'),
      labelSelector: message(9, 'SelectorAttributes'),
    },
  },
  // FieldSelectorAttributes and LabelSelectorAttributes share this layout.
  SelectorAttributes: {
    fields: { rawSelector: stringField(1), requirements: { rule: 'repeated', type: 'SelectorRequirement', id: 2 } },
  },
  SelectorRequirement: { fields: { key: stringField(1), operator: stringField(2), values: repeatedStrings(3) } },
  NonResourceAttributes: { fields: { path: stringField(1), verb: stringField(2) } },
  SelfSubjectRulesReview: {
    fields: { metadata: message(1, 'ObjectMeta'), spec: message(2, 'SelfSubjectRulesReviewSpec') },
  },
  SelfSubjectRulesReviewSpec: { fields: { namespace: stringField(1) } },
  // A map's entries are messages of their own on the wire.
  'map<string, string>': { fields: { key: stringField(1), value: stringField(2) } },
  'map<string, bytes>': { fields: { key: stringField(1), value: { type: 'bytes', id: 2 } } },
};

/** Each message's fields by number, as the wire names them. */
const fieldsByNumber = new Map(
  Object.entries(descriptor).map(([name, { fields }]) => [
    name,
    new Map(Object.entries(fields).map(([field, d]) => [d.id, { name: field, ...d }])),
  ]),
);

/** The 4 bytes that start every Kubernetes protobuf body: "k8s" and a NUL. */
export const kubernetesProtobufMagic = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

const messagesByKind = new Map<string, string>([
  ['v1/Namespace', 'Namespace'],
  ['v1/Secret', 'Secret'],
  ['rbac.authorization.k8s.io/v1/RoleBinding', 'RoleBinding'],
  ['authorization.k8s.io/v1/SelfSubjectAccessReview', 'SelfSubjectAccessReview'],
  ['authorization.k8s.io/v1/SelfSubjectRulesReview', 'SelfSubjectRulesReview'],
]);

export interface DecodedObject {
  apiVersion: string;
  kind: string;
  /** The object as the JSON body would have carried it (apiVersion and kind included). */
  object: Record<string, unknown>;
}

/**
 * Decodes an `application/vnd.kubernetes.protobuf` request body (magic + runtime.Unknown envelope) of a
 * Namespace, Secret, RoleBinding, SelfSubjectAccessReview or SelfSubjectRulesReview into the JSON object the
 * same command would have sent as JSON: bytes as base64, times as RFC 3339, and empty values dropped (the
 * protobuf form carries every field; the JSON form omits empty ones). Other kinds → 415; anything else
 * malformed → 400.
 */
export function decodeKubernetesProtobuf(body: Uint8Array): DecodedObject {
  if (body.length < 4 || !kubernetesProtobufMagic.every((byte, index) => body[index] === byte))
    throw new ProtobufDecodeError('the body is not a Kubernetes protobuf message: it does not start with "k8s\\x00"');
  const envelope = decode('Unknown', body.subarray(4)) as {
    typeMeta?: { apiVersion?: string; kind?: string };
    raw?: Uint8Array;
    contentEncoding?: string;
    contentType?: string;
  };
  const apiVersion = envelope.typeMeta?.apiVersion ?? '';
  const kind = envelope.typeMeta?.kind ?? '';
  if (!apiVersion || !kind) throw new ProtobufDecodeError('the protobuf envelope names no apiVersion and kind');
  if (envelope.contentEncoding)
    throw new ProtobufDecodeError(`unsupported content encoding ${JSON.stringify(envelope.contentEncoding)}`);
  const name = messagesByKind.get(`${apiVersion}/${kind}`);
  if (!name) throw new ProtobufKindUnsupportedError(apiVersion, kind);
  const decoded = clean(decode(name, envelope.raw ?? new Uint8Array())) as Record<string, unknown>;
  return { apiVersion, kind, object: { kind, apiVersion, ...decoded } };
}

/** One message read by its description: fields by name, bytes as bytes, unknown fields skipped. */
function decode(name: string, bytes: Uint8Array): Record<string, unknown> {
  try {
    const reader = protobuf.Reader.create(bytes);
    return readMessage(reader, name, reader.len);
  } catch (error) {
    throw new ProtobufDecodeError(`the protobuf body cannot be decoded: ${(error as Error).message}`);
  }
}

const varintTypes = new Set(['bool', 'int32', 'int64']);

function readMessage(reader: protobuf.Reader, name: string, length: number): Record<string, unknown> {
  const fields = fieldsByNumber.get(name);
  const end = reader.pos + length;
  if (end > reader.len) throw new RangeError(`${name} runs past the end of the body`);
  const result: Record<string, unknown> = {};
  while (reader.pos < end) {
    const tag = reader.uint32();
    const field = fields?.get(tag >>> 3);
    if (!field) {
      reader.skipType(tag & 7);
      continue;
    }
    const wireType = !field.keyType && varintTypes.has(field.type) ? 0 : 2;
    if ((tag & 7) !== wireType) throw new Error(`${name}.${field.name} has wire type ${tag & 7}, not ${wireType}`);
    if (field.keyType) {
      const [key, value] = readMapEntry(reader, field.type);
      // An own property whatever the key (`__proto__` included), as JSON.parse would make it.
      Object.defineProperty((result[field.name] ??= {}) as object, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else if (field.rule === 'repeated')
      ((result[field.name] ??= []) as unknown[]).push(readValue(reader, field.type));
    else result[field.name] = readValue(reader, field.type);
  }
  if (reader.pos !== end) throw new RangeError(`${name} runs past its length`);
  return result;
}

function readValue(reader: protobuf.Reader, type: string): unknown {
  if (type === 'string') return reader.string();
  if (type === 'bytes') return reader.bytes();
  if (type === 'bool') return reader.bool();
  if (type === 'int32') return reader.int32();
  if (type === 'int64') return protobuf.util.LongBits.from(reader.int64()).toNumber();
  return readMessage(reader, type, reader.uint32());
}

/** A map entry: key 1 (a string) and value 2, each absent when empty. */
function readMapEntry(reader: protobuf.Reader, valueType: string): [string, unknown] {
  const entry = readMessage(reader, `map<string, ${valueType}>`, reader.uint32());
  return [String(entry.key ?? ''), entry.value ?? (valueType === 'bytes' ? new Uint8Array() : '')];
}

// Maps keep every entry: an empty value is data (a Secret key holding an empty string).
const mapFields = new Set(['labels', 'annotations', 'data', 'stringData']);

/**
 * Bytes become base64 and times RFC 3339 (a zero Time is null, as Go's JSON writes it); empty strings, lists
 * and maps go.
 */
function clean(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(clean);
  if (!isPlainObject(value)) return value;
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === 'creationTimestamp' || key === 'deletionTimestamp') {
      result[key] = rfc3339(item as { seconds?: number });
      continue;
    }
    if (mapFields.has(key) && isPlainObject(item)) {
      if (Object.keys(item).length > 0)
        result[key] = Object.fromEntries(Object.entries(item).map(([entry, data]) => [entry, clean(data)]));
      continue;
    }
    const cleaned = clean(item);
    if (cleaned === '' || cleaned === false || cleaned === 0) continue;
    if (Array.isArray(cleaned) && cleaned.length === 0) continue;
    if (isPlainObject(cleaned) && Object.keys(cleaned).length === 0 && !['metadata', 'spec', 'status'].includes(key))
      continue;
    result[key] = cleaned;
  }
  return result;
}

function rfc3339(time: { seconds?: number } | undefined): string | null {
  if (!time?.seconds) return null;
  return new Date(time.seconds * 1000).toISOString().replace('.000Z', 'Z');
}
