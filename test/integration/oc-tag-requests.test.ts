import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiUnderTest, startApi } from '../support/api-under-test.ts';
import { namespacedPath } from '../support/kube-paths.ts';
import { pushImage } from '../support/push-image.ts';
import { type RunningRegistry, startRegistry } from '../support/registry.ts';

// The DynamoDB requests an `oc tag` costs, counted where dynalite receives them: every HTTP request the
// real SDK sends (retries included), by operation. A change that adds a read or a write fails here.

let api: ApiUnderTest;
let registry: RunningRegistry;

beforeAll(async () => {
  registry = await startRegistry();
  api = await startApi({ IMAGESTREAMS_INSECURE_REGISTRIES: registry.host });
});
afterAll(async () => {
  await api.close();
  await registry.stop();
});

const istag = (namespace: string, name: string) => namespacedPath(namespace, `imagestreamtags/${name}`);

/** The requests one call sent to DynamoDB, by operation. */
async function counted(action: () => Promise<{ status: number }>): Promise<Record<string, number>> {
  api.dynalite.requests.clear();
  const response = await action();
  expect(response.status).toBe(200);
  return Object.fromEntries(api.dynalite.requests);
}

const changedEvents = (namespace: string, stream: string, tag: string) =>
  api.bus
    .details('ImageStreamTag Changed')
    .filter((d) => d.namespace === namespace && d.imageStream === stream && d.tag === tag);

describe('DynamoDB requests of an oc tag', () => {
  it('tags a reference into an existing stream with 2 Queries, the generation, the tag and its outbox clear', async () => {
    await api.call('PUT', istag('refs', 'app:base'), {
      body: { tag: { name: 'base', reference: true, from: { kind: 'DockerImage', name: 'quay.io/x/app:1' } } },
    });
    const counts = await counted(() =>
      api.call('PUT', istag('refs', 'app:next'), {
        body: { tag: { name: 'next', reference: true, from: { kind: 'DockerImage', name: 'quay.io/x/app:2' } } },
      }),
    );
    expect(counts).toEqual({ Query: 2, UpdateItem: 2, PutItem: 1 });
  });

  it("imports into a new stream reading the stream, the namespace's secrets and the image, writing the image, the stream, the tag and its outbox clear", async () => {
    const pushed = await pushImage(registry, 'count/app', 'v1');
    const before = api.bus.events.length;
    const counts = await counted(async () => {
      const response = await api.call('PUT', istag('fresh', 'app:v1'), {
        body: { tag: { name: 'v1', from: { kind: 'DockerImage', name: `${registry.host}/count/app:v1` } } },
      });
      // The answer carries the imported image without reading it back.
      expect(response.json.image.metadata.name).toBe(pushed.digest);
      expect(response.json.image.dockerImageMetadata.Architecture).toBe('amd64');
      return response;
    });
    expect(counts).toEqual({ Query: 2, GetItem: 1, PutItem: 3, UpdateItem: 1 });
    // Published once, and the outbox mark cleared after it went out.
    expect(changedEvents('fresh', 'app', 'v1')).toMatchObject([{ image: pushed.digest, previous: null }]);
    expect(api.bus.events.length).toBe(before + 1);
    const stored = await api.stores.streams.getStream('fresh', 'app');
    const tag = stored?.tags.find((t) => t.name === 'v1');
    expect(tag?.unpublished).toBeUndefined();
    expect(tag?.items.map((i) => i.image)).toEqual([pushed.digest]);
    expect(tag?.spec?.generation).toBe(1);
    expect(tag?.items[0]?.generation).toBe(1);
    expect(stored?.stream.generation).toBe(1);
  });

  it('imports into an existing stream reading the stream twice, the secrets and the image, writing the generation, the image, the tag and its outbox clear', async () => {
    await api.call('PUT', istag('grown', 'app:base'), {
      body: { tag: { name: 'base', reference: true, from: { kind: 'DockerImage', name: 'quay.io/x/app:1' } } },
    });
    const pushed = await pushImage(registry, 'count/other', 'v2');
    const counts = await counted(() =>
      api.call('PUT', istag('grown', 'app:v2'), {
        body: { tag: { name: 'v2', from: { kind: 'DockerImage', name: `${registry.host}/count/other:v2` } } },
      }),
    );
    expect(counts).toEqual({ Query: 3, GetItem: 1, PutItem: 2, UpdateItem: 2 });
    expect(changedEvents('grown', 'app', 'v2')).toMatchObject([{ image: pushed.digest }]);
    const tag = (await api.stores.streams.getStream('grown', 'app'))?.tags.find((t) => t.name === 'v2');
    expect(tag?.unpublished).toBeUndefined();
    expect(tag?.spec?.generation).toBe(2);
    expect(tag?.items[0]?.generation).toBe(2);
  });

  it('refuses an importing oc tag with a stale resourceVersion before importing or writing anything', async () => {
    await pushImage(registry, 'count/stale', 'v1');
    const first = await api.call('PUT', istag('stale', 'app:v1'), {
      body: { tag: { name: 'v1', reference: true, from: { kind: 'DockerImage', name: 'quay.io/x/app:1' } } },
    });
    api.dynalite.requests.clear();
    const stale = await api.call('PUT', istag('stale', 'app:v1'), {
      body: {
        metadata: { resourceVersion: String(Number(first.json.metadata.resourceVersion) - 1) },
        tag: { name: 'v1', from: { kind: 'DockerImage', name: `${registry.host}/count/stale:v1` } },
      },
    });
    expect(stale.status).toBe(409);
    expect(Object.fromEntries(api.dynalite.requests)).toEqual({ Query: 1 });
  });

  it('lands 10 concurrent importing oc tags of one image into a new stream with one history entry and one event', async () => {
    const pushed = await pushImage(registry, 'count/race', 'v1');
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        api.call('PUT', istag('race', 'app:v1'), {
          body: { tag: { name: 'v1', from: { kind: 'DockerImage', name: `${registry.host}/count/race:v1` } } },
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    const stored = await api.stores.streams.getStream('race', 'app');
    const tag = stored?.tags.find((t) => t.name === 'v1');
    expect(tag?.items.map((i) => i.image)).toEqual([pushed.digest]);
    expect(tag?.unpublished).toBeUndefined();
    expect(changedEvents('race', 'app', 'v1')).toHaveLength(1);
  });
});
