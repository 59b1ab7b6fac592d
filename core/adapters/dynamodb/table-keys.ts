// The one table's key schema (attributes and indexes), shared by sst.config.ts, local mode and the tests.
// What goes into the keys is decided in dynamo-table.ts.
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
  // Sparse indexes: only the items that carry their keys are in them (see dynamo-table.ts).
  globalIndexes: {
    gsi1: { hashKey: 'gsi1pk', rangeKey: 'gsi1sk' },
    gsi2: { hashKey: 'gsi2pk', rangeKey: 'gsi2sk' },
    gsi3: { hashKey: 'gsi3pk', rangeKey: 'gsi3sk' },
  },
} as const;
