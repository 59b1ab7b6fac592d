import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTable } from '../../core/adapters/dynamodb/create-table.ts';
import { type DynamoStores, dynamoStores } from '../../core/adapters/dynamodb/dynamo-stores.ts';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../../core/errors.ts';
import type { StreamRecord, TagRecord } from '../../core/streams/types.ts';
import { type RunningDynalite, startDynalite } from '../../functions/local/dynalite.ts';

let dynalite: RunningDynalite;
let client: DynamoDBClient;
let stores: DynamoStores;
let store: DynamoStores['streams'];
let images: DynamoStores['images'];

beforeAll(async () => {
  dynalite = await startDynalite();
  client = new DynamoDBClient({
    endpoint: dynalite.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  await ensureTable(client, 'store-test');
  stores = dynamoStores(client, 'store-test');
  store = stores.streams;
  images = stores.images;
});
afterAll(async () => {
  client.destroy();
  await dynalite.close();
});

const stream = (name: string, uid = `uid-${name}`): StreamRecord => ({
  namespace: 'demo',
  name,
  uid,
  creationTimestamp: '2026-01-01T00:00:00Z',
  labels: {},
  annotations: {},
  lookupLocal: false,
  dockerImageRepository: '',
  generation: 1,
  version: 1,
});
const tag = (name: string, version = 0): TagRecord => ({
  name,
  spec: { name, from: { kind: 'DockerImage', name: `quay.io/a/b:${name}` }, generation: 1 },
  items: [
    {
      created: '2026-01-01T00:00:00Z',
      dockerImageReference: `quay.io/a/b@sha256:${'a'.repeat(64)}`,
      image: `sha256:${'a'.repeat(64)}`,
      generation: 1,
    },
  ],
  conditions: [],
  version,
});

function requests(): Record<string, number> {
  return Object.fromEntries(dynalite.requests);
}

describe('DynamoStreamStore and DynamoImageStore', () => {
  it('reads a stream with 100 tags in one Query request', async () => {
    const s = stream('big');
    await store.createStream(s);
    for (let i = 0; i < 100; i++) await store.putTag(s, tag(`t${i}`));
    dynalite.requests.clear();
    const state = await store.getStream('demo', 'big');
    expect(state?.tags).toHaveLength(100);
    expect(requests()).toEqual({ Query: 1 });
  });

  it('keeps neighbouring streams apart even when one name starts with the other', async () => {
    await store.createStream(stream('py'));
    await store.createStream(stream('py.thon'));
    await store.putTag(stream('py.thon'), tag('latest'));
    expect((await store.getStream('demo', 'py'))?.tags).toEqual([]);
    expect((await store.getStream('demo', 'py.thon'))?.tags.map((t) => t.name)).toEqual(['latest']);
    expect((await store.listStreams('demo')).map((s) => s.stream.name)).toEqual(['big', 'py', 'py.thon']);
  });

  it('refuses a second stream of the same name', async () => {
    await expect(store.createStream(stream('big'))).rejects.toBeInstanceOf(AlreadyExistsError);
  });

  it('writes a tag only over the version it read', async () => {
    const s = stream('versions');
    await store.createStream(s);
    const first = await store.putTag(s, tag('latest'));
    expect(first.version).toBe(1);
    await expect(store.putTag(s, tag('latest', 0))).rejects.toBeInstanceOf(ConflictError);
    const second = await store.putTag(s, { ...first, items: [] });
    expect(second.version).toBe(2);
    await expect(store.putTag(s, first)).rejects.toBeInstanceOf(ConflictError);
    await expect(store.deleteTag(s, first)).rejects.toBeInstanceOf(ConflictError);
    await store.deleteTag(s, second);
    expect((await store.getStream('demo', 'versions'))?.tags).toEqual([]);
  });

  it('hands out each generation once under concurrency', async () => {
    const s = stream('generations');
    await store.createStream(s);
    const generations = await Promise.all(Array.from({ length: 20 }, () => store.nextGeneration(s)));
    expect(new Set(generations).size).toBe(20);
    expect(Math.max(...generations)).toBe(21);
  });

  it('updates a stream record only over the version it read', async () => {
    const s = stream('meta');
    await store.createStream(s);
    const updated = await store.updateStream({ ...s, labels: { a: 'b' } }, 1);
    expect(updated.version).toBe(2);
    await expect(store.updateStream({ ...s, labels: { c: 'd' } }, 1)).rejects.toBeInstanceOf(ConflictError);
    expect((await store.getStream('demo', 'meta'))?.stream.labels).toEqual({ a: 'b' });
  });

  it('hides the tags of a deleted stream from a new stream of the same name, even ones written after the delete', async () => {
    const old = stream('reborn', 'uid-old');
    await store.createStream(old);
    await store.putTag(old, tag('a'));
    await store.deleteStream(old);
    await store.putTag(old, tag('late')); // a writer that read the stream before the delete
    await expect(store.nextGeneration(old)).rejects.toBeInstanceOf(NotFoundError);
    expect(await store.getStream('demo', 'reborn')).toBeUndefined();
    await store.createStream(stream('reborn', 'uid-new'));
    expect((await store.getStream('demo', 'reborn'))?.tags).toEqual([]);
    await store.putTag(stream('reborn', 'uid-new'), tag('late'));
    expect((await store.getStream('demo', 'reborn'))?.tags.map((t) => [t.name, t.version])).toEqual([['late', 1]]);
  });

  it('records image metadata once per digest', async () => {
    const digest = `sha256:${'f'.repeat(64)}`;
    await images.putImage({ metadata: { name: digest }, dockerImageReference: `a/b@${digest}` });
    await images.putImage({ metadata: { name: digest }, dockerImageReference: `c/d@${digest}` });
    expect((await images.getImage(digest))?.dockerImageReference).toBe(`a/b@${digest}`);
    expect(await images.getImage(`sha256:${'0'.repeat(64)}`)).toBeUndefined();
  });
});
