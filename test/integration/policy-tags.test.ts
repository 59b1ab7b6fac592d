import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ApiUnderTest, startApi } from '../support/api-under-test.ts';
import { type PagingProxy, startPagingProxy } from '../support/paging-proxy.ts';
import { type PushedImage, pushImage } from '../support/push-image.ts';
import { type RunningRegistry, startRegistry } from '../support/registry.ts';

// Policy tags (issue 12) against the real registry, behind a proxy that pages tag listings three tags
// at a time (distribution 2.8 answers them whole) and records every request.

let registry: RunningRegistry;
let proxy: PagingProxy;
let api: ApiUnderTest;
let now = new Date('2026-11-27T12:00:00Z');
const clock = { now: () => now };
const advance = (seconds: number) => (now = new Date(now.getTime() + seconds * 1000));
const pushed = new Map<string, PushedImage>();
const push = async (repo: string, tag: string) => {
  const image = await pushImage(registry, repo, tag);
  pushed.set(`${repo}:${tag}`, image);
  return image;
};
const ns = (namespace: string) => `/apis/image.openshift.io/v1/namespaces/${namespace}`;
const policyKey = 'imagestreams.dev/policy';

beforeAll(async () => {
  registry = await startRegistry();
  proxy = await startPagingProxy(registry.url, 3);
  api = await startApi(
    {
      IMAGESTREAMS_INSECURE_REGISTRIES: proxy.host,
      IMAGESTREAMS_SCHEDULE_INTERVAL_SECONDS: '60',
      IMAGESTREAMS_POLICY_MAX_TAG_PAGES: '3',
      IMAGESTREAMS_REGISTRY_MAX_RETRIES: '1',
      IMAGESTREAMS_REGISTRY_MIN_RETRY_DELAY_MS: '10',
    },
    clock,
  );
  // Sorted, the listing pages as [3.10.14 3.11.9 3.12.7] [3.13.0-rc.1 4.0.0 latest] [sha256-abc.sig].
  for (const tag of ['3.10.14', '3.11.9', '3.12.7', '3.13.0-rc.1', '4.0.0', 'latest', 'sha256-abc.sig'])
    await push('pol/python', tag);
  for (const tag of ['v1.2.0', 'v1.10.0', 'v1.9.9', '1.3.0', 'v2.0.0-beta.1']) await push('pol/tool', tag);
  for (const tag of ['main-abc123-1700000000', 'main-def456-1700000500', 'feature-x-1800000000', 'latest'])
    await push('pol/api', tag);
}, 120_000);
afterAll(async () => {
  await api?.close();
  await proxy?.stop();
  await registry?.stop();
});
beforeEach(() => proxy.clear());
// Each test's streams are removed after it, so that a scheduled pass sees only the next test's tags.
const created: [string, string][] = [];
afterEach(async () => {
  for (const [namespace, name] of created.splice(0)) await api.call('DELETE', `${ns(namespace)}/imagestreams/${name}`);
});

type TagStatus = {
  tag: string;
  items?: { image: string; dockerImageReference: string; actor?: string }[];
  conditions?: { type: string; status: string; reason: string; message: string }[];
};
const statusOf = async (namespace: string, stream: string, tag: string): Promise<TagStatus | undefined> =>
  (
    (await api.call('GET', `${ns(namespace)}/imagestreams/${stream}`)).json as { status: { tags: TagStatus[] } }
  ).status.tags.find((t) => t.tag === tag);
const policyTag = (name: string, repo: string, annotations: Record<string, string>) => ({
  name,
  from: { kind: 'DockerImage', name: `${proxy.host}/${repo}` },
  importPolicy: { scheduled: true },
  annotations,
});
const createStream = async (namespace: string, name: string, tags: unknown[]) => {
  const response = await api.call('POST', `${ns(namespace)}/imagestreams`, {
    body: { metadata: { name }, spec: { tags } },
  });
  expect(response.status, JSON.stringify(response.json)).toBe(201);
  created.push([namespace, name]);
  return response;
};
const writes = () =>
  ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'].reduce(
    (sum, op) => sum + (api.dynalite.requests.get(op) ?? 0),
    0,
  );
const listings = () => proxy.seen.filter((r) => r.startsWith('GET ') && r.includes('/tags/list'));
const heads = () => proxy.seen.filter((r) => r.startsWith('HEAD '));

describe('policy tags', () => {
  it('follows the winner of every policy kind on create, reading each repository once', async () => {
    await createStream('pol', 'mixed', [
      policyTag('3', 'pol/python', { [policyKey]: 'semver: >=3.11.0 <4.0.0' }),
      policyTag('next', 'pol/python', { [policyKey]: 'semver: >=3.13.0-rc.1 <4.0.0' }),
      policyTag('tool', 'pol/tool', { [policyKey]: 'semver: ^1.0.0' }),
      policyTag('main', 'pol/api', {
        [policyKey]: 'numerical: asc',
        'imagestreams.dev/filter-tags': '^main-[a-f0-9]+-(?P<ts>[0-9]+)$',
        'imagestreams.dev/filter-extract': '$ts',
      }),
      policyTag('oldest-main', 'pol/api', {
        [policyKey]: 'alphabetical: desc',
        'imagestreams.dev/filter-tags': '^main-',
      }),
    ]);
    const expected: [string, string, string][] = [
      ['3', 'pol/python', '3.12.7'],
      ['next', 'pol/python', '3.13.0-rc.1'],
      ['tool', 'pol/tool', 'v1.10.0'],
      ['main', 'pol/api', 'main-def456-1700000500'],
      ['oldest-main', 'pol/api', 'main-abc123-1700000000'],
    ];
    for (const [tag, repo, source] of expected) {
      const status = await statusOf('pol', 'mixed', tag);
      const digest = pushed.get(`${repo}:${source}`)?.digest;
      expect(status?.items?.map((i) => [i.image, i.dockerImageReference])).toEqual([
        [digest, `${proxy.host}/${repo}:${source}@${digest}`],
      ]);
      expect(status?.conditions ?? []).toEqual([]);
    }
    // pol/python pages three times (7 tags, 3 a page), the others twice: once per repository, not per tag.
    expect(listings().filter((r) => r.includes('/pol/python/'))).toHaveLength(3);
    expect(listings().filter((r) => r.includes('/pol/api/'))).toHaveLength(2);
    expect(listings().filter((r) => r.includes('/pol/tool/'))).toHaveLength(2);

    const text = (await api.call('GET', `${ns('pol')}/imagestreams/mixed/describe`)).text;
    expect(text).toContain('    newest matching semver >=3.11.0 <4.0.0: 3.12.7\n');
    expect(text).toContain(
      '    highest numerical of tags matching ^main-[a-f0-9]+-(?P<ts>[0-9]+)$ by $ts: main-def456-1700000500\n',
    );
  });

  it('moves the tag exactly once when a newer version is pushed, and notices a winner re-pushed under its name', async () => {
    await push('pol/moving', '4.1.0');
    await createStream('move', 'python', [policyTag('3', 'pol/moving', { [policyKey]: 'semver: >=3.11.0 <4.0.0' })]);
    expect((await statusOf('move', 'python', '3'))?.conditions?.[0]?.reason).toBe('NoMatchingTag');
    const first = await push('pol/moving', '3.11.0');
    advance(60);
    expect(await api.deps.scheduler.tick()).toMatchObject({ changed: 1 });
    expect((await statusOf('move', 'python', '3'))?.items?.map((i) => i.image)).toEqual([first.digest]);

    const newer = await push('pol/moving', '3.12.0');
    const eventsBefore = api.bus.events.length;
    advance(60);
    expect(await api.deps.scheduler.tick()).toMatchObject({ changed: 1, failed: 0 });
    const status = await statusOf('move', 'python', '3');
    expect(status?.items?.map((i) => i.dockerImageReference)).toEqual([
      `${proxy.host}/pol/moving:3.12.0@${newer.digest}`,
      `${proxy.host}/pol/moving:3.11.0@${first.digest}`,
    ]);
    expect(status?.items?.[0]?.actor).toBe('scheduler');
    const changed = api.bus.events
      .slice(eventsBefore)
      .filter((e) => e.DetailType === 'ImageStreamTag Changed')
      .map((e) => JSON.parse(e.Detail) as { tag: string; sourceTag?: string; image: string });
    expect(changed.map((d) => [d.tag, d.sourceTag, d.image])).toEqual([['3', '3.12.0', newer.digest]]);

    // Nothing moved: one listing and one HEAD of the winner, no write, no event.
    proxy.clear();
    api.dynalite.requests.clear();
    advance(60);
    expect(await api.deps.scheduler.tick()).toMatchObject({ changed: 0, failed: 0 });
    expect(writes()).toBe(0);
    expect(heads().filter((r) => r.includes('/pol/moving/'))).toEqual(['HEAD /v2/pol/moving/manifests/3.12.0']);
    expect(api.bus.events.length).toBe(eventsBefore + changed.length);

    const repushed = await push('pol/moving', '3.12.0');
    advance(60);
    expect(await api.deps.scheduler.tick()).toMatchObject({ changed: 1 });
    expect((await statusOf('move', 'python', '3'))?.items?.[0]?.image).toBe(repushed.digest);
  });

  it('keeps the image and says NoMatchingTag when nothing matches', async () => {
    await createStream('none', 'python', [policyTag('3', 'pol/python', { [policyKey]: 'semver: >=3.11.0 <4.0.0' })]);
    const put = await api.call('PUT', `${ns('none')}/imagestreams/python`, {
      body: {
        metadata: { name: 'python' },
        spec: { tags: [policyTag('3', 'pol/python', { [policyKey]: 'semver: >=9.0.0' })] },
      },
    });
    expect(put.status).toBe(200);
    const status = await statusOf('none', 'python', '3');
    expect(status?.items?.map((i) => i.image)).toEqual([pushed.get('pol/python:3.12.7')?.digest]);
    expect(status?.conditions?.[0]).toMatchObject({ type: 'ImportSuccess', status: 'False', reason: 'NoMatchingTag' });
    expect(status?.conditions?.[0]?.message).toContain('newest matching semver >=9.0.0');
    expect(status?.conditions?.[0]?.message).toContain('7 tags read');
    const text = (await api.call('GET', `${ns('none')}/imagestreams/python/describe`)).text;
    expect(text).toContain('! error: Import failed (NoMatchingTag)');
  });

  it('says in the condition when the page cap cut the listing short', async () => {
    for (let i = 1; i <= 10; i++) await push('pol/big', `b-${String(i).padStart(2, '0')}`);
    await createStream('cap', 'big', [
      policyTag('last', 'pol/big', { [policyKey]: 'alphabetical: asc', 'imagestreams.dev/filter-tags': '^b-' }),
      policyTag('ten', 'pol/big', { [policyKey]: 'alphabetical: asc', 'imagestreams.dev/filter-tags': '^b-10$' }),
    ]);
    // Three pages of three: b-10 is never read.
    expect(listings()).toHaveLength(3);
    expect((await statusOf('cap', 'big', 'last'))?.items?.[0]?.dockerImageReference).toContain('/pol/big:b-09@');
    const ten = await statusOf('cap', 'big', 'ten');
    expect(ten?.conditions?.[0]?.reason).toBe('NoMatchingTag');
    expect(ten?.conditions?.[0]?.message).toContain('9 tags read; the listing stopped at its cap of 3 pages');
  });

  it('keeps the image as a failed import does when the listing fails', async () => {
    await createStream('fail', 'python', [policyTag('3', 'pol/python', { [policyKey]: 'semver: >=3.11.0 <4.0.0' })]);
    proxy.failListing(404, Number.POSITIVE_INFINITY, 'pol/python');
    advance(60);
    api.dynalite.requests.clear();
    expect(await api.deps.scheduler.tick()).toMatchObject({ failed: 1 });
    const status = await statusOf('fail', 'python', '3');
    expect(status?.items?.map((i) => i.image)).toEqual([pushed.get('pol/python:3.12.7')?.digest]);
    expect(status?.conditions?.[0]).toMatchObject({ status: 'False', reason: 'NotFound' });
    proxy.clear();
  });

  it('reads a shared repository once per pass for many tags in many streams and namespaces', async () => {
    const tags = (i: number) => [
      policyTag('3', 'pol/shared', { [policyKey]: 'semver: >=3.11.0 <4.0.0' }),
      policyTag(`n${i}`, 'pol/shared', { [policyKey]: 'numerical: asc', 'imagestreams.dev/filter-tags': '^[0-9]+$' }),
    ];
    for (const tag of ['3.11.0', '3.11.1', '100', '200', 'x']) await push('pol/shared', tag);
    for (const [i, namespace] of ['share-a', 'share-b'].entries())
      for (const stream of ['one', 'two', 'three']) await createStream(namespace, stream, tags(i));
    proxy.clear();
    api.dynalite.requests.clear();
    advance(60);
    await api.deps.scheduler.tick();
    const shared = proxy.seen.filter((r) => r.includes('/pol/shared/'));
    // 5 tags, 3 a page: 2 pages, once; then one HEAD per tag (12 tags), and nothing written.
    expect(shared.filter((r) => r.includes('/tags/list'))).toHaveLength(2);
    expect(shared.filter((r) => r.startsWith('HEAD '))).toHaveLength(12);
    expect(shared).toHaveLength(14);
    expect(writes()).toBe(0);
  });

  it('evaluates the policy on oc import-image of a policy tag', async () => {
    await push('pol/imported', '1.0.0');
    await createStream('imp', 'tool', [policyTag('1', 'pol/imported', { [policyKey]: 'semver: 1.x' })]);
    const newer = await push('pol/imported', '1.1.0');
    const response = await api.call('POST', `${ns('imp')}/imagestreamimports`, {
      body: {
        metadata: { name: 'tool' },
        spec: {
          import: true,
          images: [{ from: { kind: 'DockerImage', name: `${proxy.host}/pol/imported` }, to: { name: '1' } }],
        },
      },
    });
    expect(response.status, JSON.stringify(response.json)).toBe(201);
    expect((await statusOf('imp', 'tool', '1'))?.items?.[0]?.dockerImageReference).toBe(
      `${proxy.host}/pol/imported:1.1.0@${newer.digest}`,
    );
  });

  it('refuses a policy on a tag that does not follow a repository, naming the annotation', async () => {
    const response = await api.call('POST', `${ns('bad')}/imagestreams`, {
      body: {
        metadata: { name: 'python' },
        spec: {
          tags: [
            {
              name: '3',
              from: { kind: 'DockerImage', name: `${proxy.host}/pol/python:3.12.7` },
              annotations: { [policyKey]: 'semver: 3.x' },
            },
          ],
        },
      },
    });
    expect(response.status).toBe(422);
    expect(response.json.details.causes).toContainEqual(
      expect.objectContaining({ field: 'spec.tags[0].annotations[imagestreams.dev/policy]' }),
    );
    expect((await api.call('GET', `${ns('bad')}/imagestreams/python`)).status).toBe(404);
  });
});
