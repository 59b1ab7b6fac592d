import type { StreamRecord } from '../../core/streams/types.ts';

/** A stored stream as a test or bench needs it: its name, and whatever it sets beyond a fresh stream's defaults. */
export function streamRecord(fields: Pick<StreamRecord, 'name'> & Partial<StreamRecord>): StreamRecord {
  return {
    namespace: 'demo',
    uid: `uid-${fields.name}`,
    creationTimestamp: '2026-01-01T00:00:00Z',
    labels: {},
    annotations: {},
    lookupLocal: false,
    dockerImageRepository: '',
    generation: 1,
    version: 1,
    ...fields,
  };
}
