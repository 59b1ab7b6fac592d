// meta.k8s.io/v1 shapes every OpenAPI document refers to (field names and types of apimachinery's types.go).

const meta = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const stringMap = { type: 'object', additionalProperties: { type: 'string' } };
const time = (description: string) => ({ type: 'string', format: 'date-time', description });

export const objectMetaRef = { $ref: `#/components/schemas/${meta}.ObjectMeta` };

export const metaSchemas: Record<string, Record<string, unknown>> = {
  [`${meta}.ObjectMeta`]: {
    description: 'Metadata every persisted object has.',
    type: 'object',
    properties: {
      name: { type: 'string', description: 'Unique within a namespace; cannot be changed.' },
      generateName: { type: 'string', description: 'A prefix from which the server makes a unique name.' },
      namespace: { type: 'string', description: 'The namespace the object lives in.' },
      uid: { type: 'string', description: 'Unique in time and space; set by the server.' },
      resourceVersion: { type: 'string', description: 'Opaque version for optimistic concurrency; set by the server.' },
      generation: { type: 'integer', format: 'int64', description: 'Sequence number of the desired state.' },
      creationTimestamp: time('When the object was created (RFC 3339, UTC); set by the server.'),
      deletionTimestamp: time('When the object will be deleted; set by the server.'),
      labels: { ...stringMap, description: 'Key/value pairs to select objects by (labelSelector).' },
      annotations: { ...stringMap, description: 'Key/value pairs for tools; kept verbatim.' },
      ownerReferences: { type: 'array', items: { type: 'object' }, description: 'Objects this one depends on.' },
      finalizers: {
        type: 'array',
        items: { type: 'string' },
        description: 'Must be empty before the object is deleted.',
      },
    },
  },
  [`${meta}.ListMeta`]: {
    description: 'Metadata of a list.',
    type: 'object',
    properties: {
      resourceVersion: { type: 'string', description: 'The version of the list, to watch from.' },
      continue: { type: 'string', description: 'Opaque token for the next chunk; empty when the list is complete.' },
      remainingItemCount: { type: 'integer', format: 'int64', description: 'How many objects the next chunks hold.' },
    },
  },
  [`${meta}.StatusCause`]: {
    description: 'One cause of a failure.',
    type: 'object',
    properties: { reason: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' } },
  },
  [`${meta}.StatusDetails`]: {
    description: 'What a failure is about.',
    type: 'object',
    properties: {
      name: { type: 'string' },
      group: { type: 'string' },
      kind: { type: 'string' },
      uid: { type: 'string' },
      causes: { type: 'array', items: { $ref: `#/components/schemas/${meta}.StatusCause` } },
      retryAfterSeconds: { type: 'integer', format: 'int32' },
    },
  },
  [`${meta}.Status`]: {
    description: 'The result of a call that does not return an object, or of a failed one.',
    type: 'object',
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { $ref: `#/components/schemas/${meta}.ListMeta` },
      status: { type: 'string', description: 'Success or Failure.' },
      message: { type: 'string' },
      reason: { type: 'string' },
      details: { $ref: `#/components/schemas/${meta}.StatusDetails` },
      code: { type: 'integer', format: 'int32' },
    },
    'x-kubernetes-group-version-kind': [{ group: '', kind: 'Status', version: 'v1' }],
  },
};
