// The one table's key schema, shared by sst.config.ts, local mode and the tests.
//   NS#<namespace> / IS#<stream>#            the stream record
//   NS#<namespace> / IS#<stream>#TAG#<tag>   one item per tag: spec entry, history, conditions
//   NS#<namespace> / SECRET#<name>           registry credentials, sealed
//   IMAGE#<digest> / IMAGE                   image metadata, written once
//   NS#<namespace> / RB#<name>               role bindings
//   NAMESPACES / <namespace>                 namespaces created through the API
//   TRIGGERS / <namespace>|<name>            image triggers (one partition: few, read together by the reconcile)
// Names and tags cannot contain '#', so a prefix never matches a neighbour's items.
export const tableKeys = {
  fields: {
    pk: 'string',
    sk: 'string',
    gsi1pk: 'string',
    gsi1sk: 'string',
    gsi2pk: 'string',
    gsi2sk: 'string',
    gsi3pk: 'string',
    gsi3sk: 'string',
  },
  primaryIndex: { hashKey: 'pk', rangeKey: 'sk' },
  // Sparse indexes: gsi1 holds only tags the scheduler must visit (DUE, or SLOT#<n>); gsi2 only tags
  // with an unannounced change (OUTBOX); gsi3 finds the triggers of a source tag.
  globalIndexes: {
    gsi1: { hashKey: 'gsi1pk', rangeKey: 'gsi1sk' },
    gsi2: { hashKey: 'gsi2pk', rangeKey: 'gsi2sk' },
    gsi3: { hashKey: 'gsi3pk', rangeKey: 'gsi3sk' },
  },
} as const;

export const keys = {
  namespace: (namespace: string) => `NS#${namespace}`,
  streamPrefix: (stream: string) => `IS#${stream}#`,
  tag: (stream: string, tag: string) => `IS#${stream}#TAG#${tag}`,
  image: (digest: string) => `IMAGE#${digest}`,
  imageSort: 'IMAGE',
  secret: (name: string) => `SECRET#${name}`,
  due: 'DUE',
  slot: (slot: number) => `SLOT#${slot}`,
  outbox: 'OUTBOX',
  cursor: (shard: number) => `SCHEDULER#${shard}`,
  triggers: 'TRIGGERS',
  roleBinding: (name: string) => `RB#${name}`,
  allRoleBindings: 'RB#',
  namespaces: 'NAMESPACES',
  trigger: (namespace: string, name: string) => `${namespace}|${name}`,
  triggerSource: (namespace: string, stream: string, tag: string) => `SRC#${namespace}|${stream}|${tag}`,
  allSecrets: 'SECRET#',
  allStreams: 'IS#',
};
