import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTable } from '../../core/adapters/dynamodb/create-table.ts';
import { type DynamoStores, dynamoStores } from '../../core/adapters/dynamodb/dynamo-stores.ts';
import { keys } from '../../core/adapters/dynamodb/dynamo-table.ts';
import {
  AlreadyExistsError,
  ConflictError,
  type ImageStreamsError,
  NotFoundError,
  ObjectTooLargeError,
  StoreFailureError,
  StoreThrottledError,
} from '../../core/errors.ts';
import type { StreamRecord, TagRecord } from '../../core/streams/types.ts';
import type { TriggerRecord } from '../../core/triggers/types.ts';
import { type RunningDynalite, startDynalite } from '../../functions/local/dynalite.ts';
import { streamRecord } from '../support/stream-record.ts';

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

const stream = (name: string, uid = `uid-${name}`): StreamRecord => streamRecord({ name, uid });
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

/** A history entry of about 1 KB, so that a few hundred make a large tag item. */
const bigEntry = (i: number) => ({
  created: '2026-01-01T00:00:00Z',
  dockerImageReference: `quay.io/${'x'.repeat(900)}/b@sha256:${String(i).padStart(64, '0')}`,
  image: `sha256:${String(i).padStart(64, '0')}`,
  generation: 1,
});

describe('DynamoTable under the stores', () => {
  it('reads every page of a stream larger than one 1 MB Query page', async () => {
    const s = { ...stream('huge'), namespace: 'paging' };
    await store.createStream(s);
    // 12 tags of about 200 KB each: about 2.4 MB, three Query pages at least.
    for (let i = 0; i < 12; i++)
      await store.putTag(s, { ...tag(`t${i}`), items: Array.from({ length: 200 }, (_, j) => bigEntry(j)) });
    dynalite.requests.clear();
    const state = await store.getStream('paging', 'huge');
    expect(requests().Query).toBeGreaterThanOrEqual(3);
    expect(state?.tags.map((t) => t.name).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `t${i}`).sort());
    expect(state?.tags.every((t) => t.items.length === 200)).toBe(true);
    expect((await store.listStreams('paging'))[0]?.tags).toHaveLength(12);
  });

  it('pages on the item count too, and a limited list stops at its limit', async () => {
    const small = dynamoStores(client, 'store-test', { pageSize: 7 });
    const s = { ...stream('paged'), namespace: 'pages' };
    await small.streams.createStream(s);
    for (let i = 0; i < 30; i++) await small.streams.putTag(s, tag(`t${i}`));
    dynalite.requests.clear();
    expect((await small.streams.getStream('pages', 'paged'))?.tags).toHaveLength(30);
    expect(requests().Query).toBe(5); // 31 items, 7 a page
  });

  it('deletes every tag of a stream with more than 25 tags (several batches)', async () => {
    const s = { ...stream('many'), namespace: 'deleting' };
    await store.createStream(s);
    for (let i = 0; i < 60; i++) await store.putTag(s, tag(`t${i}`));
    dynalite.requests.clear();
    await store.deleteStream(s);
    expect(requests().BatchWriteItem).toBe(3);
    const left = await client.send(
      new QueryCommand({
        TableName: 'store-test',
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: keys.inNamespace('deleting').everything.pk } },
        ConsistentRead: true,
      }),
    );
    expect(left.Items).toEqual([]);
  });

  it('refuses an item over 400 KB as too large, naming the object, and stores nothing', async () => {
    const s = { ...stream('oversized'), namespace: 'sizes' };
    await store.createStream(s);
    const stored = await store.putTag(s, tag('latest'));
    const error = await store
      .putTag(s, { ...stored, items: Array.from({ length: 450 }, (_, j) => bigEntry(j)) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ObjectTooLargeError);
    expect((error as ObjectTooLargeError).reason).toBe('RequestEntityTooLarge');
    expect((error as Error).message).toContain('imagestreamtags "oversized:latest" is too large');
    expect((await store.getStream('sizes', 'oversized'))?.tags).toEqual([stored]);
  });

  it('answers any other SDK failure as an internal error that keeps the SDK error as its cause', async () => {
    const missing = dynamoStores(client, 'no-such-table');
    const error = await missing.streams.getStream('demo', 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreFailureError);
    expect((error as StoreFailureError).reason).toBe('InternalError');
    expect(((error as Error).cause as Error).name).toBe('ResourceNotFoundException');
  });

  it.each([
    ['ProvisionedThroughputExceededException', StoreThrottledError, 'TooManyRequests'],
    ['ThrottlingException', StoreThrottledError, 'TooManyRequests'],
    ['ItemCollectionSizeLimitExceededException', ObjectTooLargeError, 'RequestEntityTooLarge'],
  ] as const)('translates %s from the service', async (type, errorClass, reason) => {
    // A loopback endpoint that answers every request with this DynamoDB error, as the service would.
    const server = createServer((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message: 'refused' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const refusing = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: 'local',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    try {
      const error = await dynamoStores(refusing, 'store-test')
        .streams.putTag(stream('any'), tag('latest'))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(errorClass);
      expect((error as ImageStreamsError).reason).toBe(reason);
      expect(((error as Error).cause as Error).name).toBe(type);
    } finally {
      refusing.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

const trigger = (namespace: string, name: string): TriggerRecord => ({
  namespace,
  name,
  uid: `uid-${name}`,
  creationTimestamp: '2026-01-01T00:00:00Z',
  version: 1,
  from: { namespace, stream: 'app', tag: 'latest' },
  paused: false,
  fireOnCreate: true,
  target: { webhook: { url: 'https://ci.example.com/hook' } },
  status: { attempts: 0 },
});

describe('DynamoTriggerStore and DynamoAccessStore', () => {
  it('answers a lost claim with the trigger as it is now, from the failed write itself', async () => {
    const t = trigger('claims', 'hook');
    await stores.triggers.createTrigger(t);
    expect(await stores.triggers.claimTrigger(t, 'sha256:one', '2026-01-01T00:00:01Z', 'user:a')).toEqual({
      claimed: true,
    });
    dynalite.requests.clear();
    const lost = await stores.triggers.claimTrigger(t, 'sha256:one', '2026-01-01T00:00:02Z', 'user:b');
    expect(requests()).toEqual({ UpdateItem: 1 });
    expect(lost).toMatchObject({
      claimed: false,
      current: { name: 'hook', uid: t.uid, status: { lastTriggeredImage: 'sha256:one', lastTriggeredBy: 'user:a' } },
    });
    expect(await stores.triggers.claimTrigger({ ...t, name: 'gone' }, 'sha256:one', 'x', 'y')).toEqual({
      claimed: false,
      current: undefined,
    });
  });

  it('keeps the skipped image through every read, a replace of the spec and a claim, each one write', async () => {
    const t = {
      ...trigger('skipping', 'hook'),
      fireOnCreate: false,
      status: { attempts: 0, skippedImage: 'sha256:old' },
    };
    await stores.triggers.createTrigger(t);
    expect((await stores.triggers.getTrigger('skipping', 'hook'))?.status).toEqual(t.status);
    expect((await stores.triggers.listTriggers('skipping')).map((r) => r.status)).toEqual([t.status]);
    expect((await stores.triggers.listTriggers()).find((r) => r.namespace === 'skipping')?.status).toEqual(t.status);
    const source = { namespace: 'skipping', stream: 'app', tag: 'latest' };
    expect((await stores.triggers.triggersFor(source)).map((r) => r.status)).toEqual([t.status]);

    dynalite.requests.clear();
    // A replace whose record carries no status (as a careless caller might) still keeps the stored one.
    const replaced = await stores.triggers.replaceTrigger({ ...t, paused: true, status: { attempts: 0 } });
    expect(requests()).toEqual({ UpdateItem: 1 });
    expect(await stores.triggers.getTrigger('skipping', 'hook')).toMatchObject({
      paused: true,
      version: 2,
      status: { attempts: 0, skippedImage: 'sha256:old' },
    });
    await stores.triggers.replaceTrigger({ ...replaced, paused: false });
    const current = await stores.triggers.getTrigger('skipping', 'hook');
    if (!current) throw new Error('no trigger');
    dynalite.requests.clear();
    expect(await stores.triggers.claimTrigger(current, 'sha256:new', '2026-01-01T00:00:01Z', 'user:a')).toEqual({
      claimed: true,
    });
    expect(requests()).toEqual({ UpdateItem: 1 });
    expect((await stores.triggers.getTrigger('skipping', 'hook'))?.status).toMatchObject({
      skippedImage: 'sha256:old',
      lastTriggeredImage: 'sha256:new',
    });
  });

  it('finds triggers in their namespace, under their source tag, and all together for the reconcile', async () => {
    await stores.triggers.createTrigger(trigger('listing-a', 'one'));
    await stores.triggers.createTrigger(trigger('listing-b', 'two'));
    expect((await stores.triggers.listTriggers('listing-a')).map((t) => t.name)).toEqual(['one']);
    expect(
      (await stores.triggers.triggersFor({ namespace: 'listing-b', stream: 'app', tag: 'latest' })).map((t) => t.name),
    ).toEqual(['two']);
    const all = (await stores.triggers.listTriggers()).map((t) => `${t.namespace}/${t.name}`);
    expect(all).toEqual(expect.arrayContaining(['listing-a/one', 'listing-b/two']));
  });

  it('counts a namespace holding only triggers as in use, and one holding only its own record as not', async () => {
    await stores.triggers.createTrigger(trigger('only-triggers', 'hook'));
    expect(await stores.access.namespaceInUse('only-triggers')).toBe(true);
    await stores.access.createNamespace({
      name: 'empty',
      uid: 'uid-empty',
      creationTimestamp: '2026-01-01T00:00:00Z',
      createdBy: 'admin',
    });
    expect(await stores.access.namespaceInUse('empty')).toBe(false);
    await stores.triggers.deleteTrigger('only-triggers', 'hook');
    expect(await stores.access.namespaceInUse('only-triggers')).toBe(false);
  });
});

describe('the follower index and push imports', () => {
  const following = (name: string, from: string, version = 0, scheduled = true): TagRecord => ({
    ...tag(name, version),
    spec: { name, from: { kind: 'DockerImage', name: from }, generation: 1, importPolicy: { scheduled } },
  });
  const names = (found: { stream: { namespace: string; name: string }; tag: { name: string } }[]) =>
    found.map((f) => `${f.stream.namespace}/${f.stream.name}:${f.tag.name}`).sort();

  it('lists the scheduled tags that import from a repository, however it is spelled, kept by the tag writes', async () => {
    const web = stream('follow-web');
    await store.createStream(web);
    const other = { ...stream('follow-web'), namespace: 'elsewhere' };
    await store.createStream(other);
    let nginx = await store.putTag(web, following('a', 'nginx:1.27'));
    await store.putTag(web, following('b', 'index.docker.io/library/nginx:latest'));
    await store.putTag(web, following('pinned', `nginx@sha256:${'b'.repeat(64)}`));
    await store.putTag(web, following('once', 'nginx:1.26', 0, false));
    await store.putTag(other, following('c', 'docker.io/library/nginx:1.27'));

    expect(names(await store.listFollowers('docker.io/library/nginx', 'demo'))).toEqual([
      'demo/follow-web:a',
      'demo/follow-web:b',
    ]);
    expect(names(await store.listFollowers('docker.io/library/nginx'))).toHaveLength(3);
    dynalite.requests.clear();
    expect(await store.listFollowers('quay.io/nobody/follows', 'demo')).toEqual([]);
    expect(requests()).toEqual({ Query: 1 });

    // Re-pointed or no longer scheduled, a tag leaves the index with the write that changes it.
    nginx = await store.putTag(web, { ...following('a', 'quay.io/acme/web:1', nginx.version) });
    expect(names(await store.listFollowers('quay.io/acme/web', 'demo'))).toEqual(['demo/follow-web:a']);
    await store.putTag(web, following('a', 'quay.io/acme/web:1', nginx.version, false));
    expect(await store.listFollowers('quay.io/acme/web', 'demo')).toEqual([]);
    expect(names(await store.listFollowers('docker.io/library/nginx', 'demo'))).toEqual(['demo/follow-web:b']);
  });

  it('lets one push import run per tag; others join it, and the marker survives the import’s own write', async () => {
    const web = stream('marker-web');
    await store.createStream(web);
    const stored = await store.putTag(web, following('v1', 'quay.io/acme/web:v1'));
    const at = '2026-01-01T00:00:10.000Z';
    const since = '2026-01-01T00:00:05.000Z';
    const asks = await Promise.all(
      Array.from({ length: 10 }, () => store.requestPushImport(web, 'v1', at, since, `sha256:${'c'.repeat(64)}`)),
    );
    expect(asks.filter(Boolean)).toHaveLength(1);
    // The import writes the tag from what it read, marker and joined digest included.
    const read = (await store.getStream('demo', 'marker-web'))?.tags[0] as TagRecord;
    expect(read.pushRequestedAt).toBe(at);
    await store.putTag(web, { ...read });
    expect(await store.requestPushImport(web, 'v1', at, since)).toBe(false);
    expect(await store.takeJoinedPushes(web, 'v1', at)).toEqual({ digest: `sha256:${'c'.repeat(64)}`, again: true });
    // Done, with the tag at the digest named: nothing more to do; another digest asks again.
    const current = stored.items[0]?.image as string;
    expect(await store.requestPushImport(web, 'v1', at, since, current)).toBe(false);
    expect(await store.requestPushImport(web, 'v1', at, since, `sha256:${'d'.repeat(64)}`)).toBe(true);
  });
});

describe('DynamoReceiverStore', () => {
  const receiver = (name: string, digest: string) => ({
    namespace: 'demo',
    name,
    uid: `uid-${name}`,
    creationTimestamp: '2026-01-01T00:00:00Z',
    version: 1,
    type: 'quay' as const,
    secretRef: { name: 'hook' },
    repositories: [],
    suspended: false,
    webhookPath: `/hooks/${digest}`,
    tokenDigest: digest,
    sealedToken: 'sealed',
  });

  it('finds a receiver by the digest of its token in one read, and keeps its status when the spec is replaced', async () => {
    await stores.receivers.createReceiver(receiver('quay', 'd1'));
    await expect(stores.receivers.createReceiver(receiver('quay', 'd9'))).rejects.toBeInstanceOf(AlreadyExistsError);
    dynalite.requests.clear();
    expect((await stores.receivers.findReceiverByToken('d1'))?.name).toBe('quay');
    expect(requests()).toEqual({ Query: 1 });
    expect(await stores.receivers.findReceiverByToken('d2')).toBeUndefined();
    const delivery = { receivedAt: '2026-01-01T00:00:01Z', outcome: 'NoMatch' as const, message: 'no tag' };
    await stores.receivers.recordDelivery(receiver('quay', 'd1'), delivery);
    const replaced = await stores.receivers.replaceReceiver({ ...receiver('quay', 'd2'), type: 'harbor' });
    expect(replaced.version).toBe(2);
    const stored = await stores.receivers.getReceiver('demo', 'quay');
    expect(stored).toMatchObject({ type: 'harbor', tokenDigest: 'd2', lastDelivery: delivery, version: 2 });
    expect(await stores.receivers.findReceiverByToken('d1')).toBeUndefined();
    expect((await stores.receivers.findReceiverByToken('d2'))?.name).toBe('quay');
    await expect(stores.receivers.replaceReceiver(receiver('quay', 'd3'))).rejects.toBeInstanceOf(ConflictError);
    await stores.receivers.deleteReceiver('demo', 'quay');
    await expect(stores.receivers.deleteReceiver('demo', 'quay')).rejects.toBeInstanceOf(NotFoundError);
  });
});
