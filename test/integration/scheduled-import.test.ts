import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ApiUnderTest, startApi } from '../support/api-under-test.ts';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.ts';
import { printedDuring } from '../support/printed.ts';
import { pushImage } from '../support/push-image.ts';
import { type RunningRegistry, startRegistry } from '../support/registry.ts';

let registry: RunningRegistry;
let proxy: FaultProxy;
let api: ApiUnderTest;
let now = new Date('2026-11-26T12:00:00Z');
const clock = { now: () => now };
const advance = (seconds: number) => (now = new Date(now.getTime() + seconds * 1000));

beforeAll(async () => {
  registry = await startRegistry();
  proxy = await startFaultProxy(registry.url);
  api = await startApi(
    {
      IMAGESTREAMS_INSECURE_REGISTRIES: proxy.host,
      IMAGESTREAMS_SCHEDULE_INTERVAL_SECONDS: '60',
      IMAGESTREAMS_REGISTRY_MAX_RETRIES: '1',
      IMAGESTREAMS_REGISTRY_MIN_RETRY_DELAY_MS: '10',
    },
    clock,
  );
});
afterAll(async () => {
  await api.close();
  await proxy.stop();
  await registry.stop();
});
beforeEach(() => proxy.clear());

const scheduledTag = async (namespace: string, stream: string, repo: string, extra: Record<string, unknown> = {}) =>
  api.call('PUT', `/apis/image.openshift.io/v1/namespaces/${namespace}/imagestreamtags/${stream}:v1`, {
    body: {
      tag: {
        name: 'v1',
        from: { kind: 'DockerImage', name: `${proxy.host}/${repo}:v1` },
        importPolicy: { scheduled: true },
        ...extra,
      },
    },
  });
const tagStatus = async (namespace: string, stream: string) =>
  (
    await api.call('GET', `/apis/image.openshift.io/v1/namespaces/${namespace}/imagestreams/${stream}`)
  ).json.status.tags.find((t: { tag: string }) => t.tag === 'v1') as {
    items: { image: string; actor?: string }[];
    conditions?: { reason: string }[];
  };
const writes = () =>
  ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'].reduce(
    (sum, op) => sum + (api.dynalite.requests.get(op) ?? 0),
    0,
  );

describe('the scheduled pass', () => {
  it('moves the tags whose source moved, leaves the others untouched, and records failures without stopping', async () => {
    const stable = await pushImage(registry, 'sched/stable', 'v1');
    const moving = await pushImage(registry, 'sched/moving', 'v1');
    const flaky = await pushImage(registry, 'sched/flaky', 'v1');
    for (const name of ['stable', 'moving', 'flaky'])
      expect((await scheduledTag('pass', name, `sched/${name}`)).status).toBe(200);
    const eventsBefore = api.bus.events.length;

    const moved = await pushImage(registry, 'sched/moving', 'v1');
    proxy.inject('HEAD', /sched\/flaky\/manifests/, { kind: 'status', status: 503 }, Number.POSITIVE_INFINITY);
    advance(60);
    api.dynalite.requests.clear();
    const report = await api.deps.scheduler.tick();
    expect(report).toMatchObject({ changed: 1, unchanged: 1, failed: 1 });

    expect((await tagStatus('pass', 'stable')).items.map((i) => i.image)).toEqual([stable.digest]);
    const movingStatus = await tagStatus('pass', 'moving');
    expect(movingStatus.items.map((i) => i.image)).toEqual([moved.digest, moving.digest]);
    expect(movingStatus.items[0]?.actor).toBe('scheduler');
    const flakyStatus = await tagStatus('pass', 'flaky');
    expect(flakyStatus.items.map((i) => i.image)).toEqual([flaky.digest]);
    expect(flakyStatus.conditions?.[0]?.reason).toBe('InternalError');

    const changed = api.bus.details('ImageStreamTag Changed').slice(-1)[0];
    expect(api.bus.events.length - eventsBefore).toBe(2);
    expect(changed).toMatchObject({
      namespace: 'pass',
      imageStream: 'moving',
      tag: 'v1',
      image: moved.digest,
      dockerImageReference: `${proxy.host}/sched/moving@${moved.digest}`,
      previous: { image: moving.digest, dockerImageReference: `${proxy.host}/sched/moving@${moving.digest}` },
      cause: 'scheduled-import',
      actor: 'scheduler',
    });
    expect(api.bus.details('ImageStreamTag Import Failed').slice(-1)[0]).toMatchObject({
      namespace: 'pass',
      imageStream: 'flaky',
      reason: 'InternalError',
    });

    // Nothing moved since: the next pass costs HEADs only, and writes and publishes nothing.
    proxy.clear();
    advance(61);
    await api.deps.scheduler.tick(); // the flaky tag's retry clears its condition
    const eventsAfter = api.bus.events.length;
    advance(60);
    api.dynalite.requests.clear();
    const quiet = await api.deps.scheduler.tick();
    expect(quiet).toMatchObject({ changed: 0, failed: 0 });
    expect(quiet.unchanged).toBeGreaterThanOrEqual(3);
    expect(writes()).toBe(0);
    expect(api.bus.events.length).toBe(eventsAfter);
  });

  it('imports a tag left pending by its write on the next tick', async () => {
    const pushed = await pushImage(registry, 'sched/pending', 'v1');
    const slow = await startApi(
      { IMAGESTREAMS_INSECURE_REGISTRIES: proxy.host, IMAGESTREAMS_IMPORT_TIMEOUT_MS: '0' },
      clock,
    );
    try {
      await slow.call('PUT', '/apis/image.openshift.io/v1/namespaces/pending/imagestreamtags/app:v1', {
        body: { tag: { name: 'v1', from: { kind: 'DockerImage', name: `${proxy.host}/sched/pending:v1` } } },
      });
      expect(
        (await slow.call('GET', '/apis/image.openshift.io/v1/namespaces/pending/imagestreams/app/describe')).text,
      ).toContain('~ importing latest image ...');
      const report = await slow.deps.scheduler.tick();
      expect(report.changed).toBe(1);
      expect(
        (await slow.call('GET', '/apis/image.openshift.io/v1/namespaces/pending/imagestreamtags/app:v1')).json.image
          .metadata.name,
      ).toBe(pushed.digest);
      expect(slow.bus.details('ImageStreamTag Changed')).toEqual([
        expect.objectContaining({
          imageStream: 'app',
          image: pushed.digest,
          cause: 'scheduled-import',
          previous: null,
        }),
      ]);
    } finally {
      await slow.close();
    }
  });

  it('retries a transient failure after a backoff, not before', async () => {
    await pushImage(registry, 'sched/backoff', 'v1');
    proxy.inject('HEAD', /sched\/backoff\/manifests/, { kind: 'status', status: 503 }, Number.POSITIVE_INFINITY);
    await api.call('PUT', '/apis/image.openshift.io/v1/namespaces/backoff/imagestreamtags/app:v1', {
      body: { tag: { name: 'v1', from: { kind: 'DockerImage', name: `${proxy.host}/sched/backoff:v1` } } },
    });
    expect((await tagStatus('backoff', 'app')).conditions?.[0]?.reason).toBe('InternalError');
    proxy.clear();
    advance(30);
    await api.deps.scheduler.tick();
    expect(proxy.seen.filter((r) => r.includes('sched/backoff'))).toEqual([]);
    advance(31);
    await api.deps.scheduler.tick();
    expect(proxy.seen.filter((r) => r.includes('sched/backoff')).length).toBeGreaterThan(0);
    expect((await tagStatus('backoff', 'app')).conditions).toBeUndefined();
  });
});

describe('tag-change events', () => {
  it('announces every change of a current image once, whatever its cause, and nothing for a write that changes nothing', async () => {
    const a = await pushImage(registry, 'events/app', 'a');
    const b = await pushImage(registry, 'events/app', 'b');
    const start = api.bus.events.length;
    const put = (tag: string, from: Record<string, unknown>) =>
      api.call('PUT', `/apis/image.openshift.io/v1/namespaces/events/imagestreamtags/app:${tag}`, {
        body: { tag: { name: tag, from } },
      });
    await put('latest', { kind: 'DockerImage', name: `${proxy.host}/events/app:a` });
    await put('stable', { kind: 'ImageStreamTag', name: 'latest' });
    await put('latest', { kind: 'DockerImage', name: `${proxy.host}/events/app:b` });
    await put('latest', { kind: 'DockerImage', name: `${proxy.host}/events/app:b` });
    await put('latest', { kind: 'ImageStreamImage', name: `app@${a.digest}` });
    const seen = api.bus
      .details('ImageStreamTag Changed')
      .slice(api.bus.details('ImageStreamTag Changed').length - (api.bus.events.length - start));
    expect(seen.map((d) => [d.tag, d.cause, d.image])).toEqual([
      ['latest', 'import', a.digest],
      ['stable', 'tag', a.digest],
      ['latest', 'import', b.digest],
      ['stable', 'alias', b.digest],
      ['latest', 'rollback', a.digest],
      ['stable', 'alias', a.digest],
    ]);
    expect(seen.every((d) => d.actor === 'user:alice')).toBe(true);
  });

  it('retries entries the bus refused, and delivers each once', async () => {
    const start = api.bus.events.length;
    api.bus.failEntries(1);
    await api.call('PUT', '/apis/image.openshift.io/v1/namespaces/events/imagestreamtags/ref:t', {
      body: { tag: { name: 't', reference: true, from: { kind: 'DockerImage', name: 'quay.io/a/b:1' } } },
    });
    expect(api.bus.events.length - start).toBe(1);
    expect(api.bus.calls.slice(-2)).toEqual([1, 1]);
  });

  it('keeps a change the bus did not take and announces it on the next tick', async () => {
    const start = api.bus.events.length;
    api.bus.failCalls(100);
    const printed = await printedDuring(() =>
      api.call('PUT', '/apis/image.openshift.io/v1/namespaces/events/imagestreamtags/ref:lost', {
        body: { tag: { name: 'lost', reference: true, from: { kind: 'DockerImage', name: 'quay.io/a/b:2' } } },
      }),
    );
    expect(api.bus.events.length).toBe(start);
    // Said once, after the publisher's own retries, with what was not announced.
    const warnings = printed.filter((line) => line.includes('events not accepted by the bus'));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0] ?? '{}')).toMatchObject({
      level: 'WARN',
      events: [{ detailType: 'ImageStreamTag Changed', detail: { imageStream: 'ref', tag: 'lost' } }],
    });
    expect(
      (await api.stores.streams.getStream('events', 'ref'))?.tags.find((t) => t.name === 'lost')?.unpublished,
    ).toBeDefined();
    // A write that changes only the spec keeps the change waiting to be announced.
    await api.call('PUT', '/apis/image.openshift.io/v1/namespaces/events/imagestreamtags/ref:lost', {
      body: {
        tag: { name: 'lost', reference: true, from: { kind: 'DockerImage', name: 'quay.io/a/b:2' } },
        metadata: { annotations: { note: 'x' } },
      },
    });
    expect(
      (await api.stores.streams.getStream('events', 'ref'))?.tags.find((t) => t.name === 'lost')?.unpublished,
    ).toBeDefined();
    api.bus.failCalls(0);
    const report = await api.deps.scheduler.tick();
    expect(report.announced).toBeGreaterThanOrEqual(1);
    expect(api.bus.details('ImageStreamTag Changed').filter((d) => d.tag === 'lost')).toHaveLength(1);
    expect(
      (await api.stores.streams.getStream('events', 'ref'))?.tags.find((t) => t.name === 'lost')?.unpublished,
    ).toBeUndefined();
    await api.deps.scheduler.tick();
    expect(api.bus.details('ImageStreamTag Changed').filter((d) => d.tag === 'lost')).toHaveLength(1);
  });
});

describe('slots', () => {
  it('visits every scheduled tag once per interval, across shards, as tags come and go', async () => {
    const cycle = await startApi(
      { IMAGESTREAMS_INSECURE_REGISTRIES: proxy.host, IMAGESTREAMS_SCHEDULE_INTERVAL_SECONDS: '300' },
      clock,
    );
    try {
      const names = Array.from({ length: 12 }, (_, i) => `s${i}`);
      for (const name of names) await pushImage(registry, `slots/${name}`, 'v1');
      const put = (name: string) =>
        cycle.call('PUT', `/apis/image.openshift.io/v1/namespaces/slots/imagestreamtags/${name}:v1`, {
          body: {
            tag: {
              name: 'v1',
              from: { kind: 'DockerImage', name: `${proxy.host}/slots/${name}:v1` },
              importPolicy: { scheduled: true },
            },
          },
        });
      for (const name of names.slice(0, 10)) await put(name);

      const visits = async () => {
        proxy.clear();
        for (let t = 0; t < 5; t++) {
          await cycle.deps.scheduler.tick({ shard: 0, shards: 2 });
          await cycle.deps.scheduler.tick({ shard: 1, shards: 2 });
          advance(60);
        }
        const counts = new Map<string, number>();
        for (const request of proxy.seen.filter((r) => r.startsWith('HEAD'))) {
          const name = /slots\/(s\d+)\//.exec(request)?.[1];
          if (name) counts.set(name, (counts.get(name) ?? 0) + 1);
        }
        return Object.fromEntries([...counts].sort());
      };
      expect(await visits()).toEqual(
        Object.fromEntries(
          names
            .slice(0, 10)
            .map((n) => [n, 1])
            .sort(),
        ),
      );

      await put('s10');
      await put('s11');
      await cycle.call('DELETE', '/apis/image.openshift.io/v1/namespaces/slots/imagestreamtags/s0:v1');
      await cycle.call('PUT', '/apis/image.openshift.io/v1/namespaces/slots/imagestreamtags/s1:v1', {
        body: { tag: { name: 'v1', from: { kind: 'DockerImage', name: `${proxy.host}/slots/s1:v1` } } },
      });
      expect(await visits()).toEqual(
        Object.fromEntries(
          names
            .slice(2)
            .map((n) => [n, 1])
            .sort(),
        ),
      );
    } finally {
      await cycle.close();
    }
  });

  it('resumes slots a tick could not finish', async () => {
    const capped = await startApi(
      {
        IMAGESTREAMS_INSECURE_REGISTRIES: proxy.host,
        IMAGESTREAMS_SCHEDULE_INTERVAL_SECONDS: '60',
        IMAGESTREAMS_MAX_CHECKS_PER_TICK: '1',
      },
      clock,
    );
    try {
      const names = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5'];
      for (const name of names) {
        await pushImage(registry, `cursor/${name}`, 'v1');
        await capped.call('PUT', `/apis/image.openshift.io/v1/namespaces/cursor/imagestreamtags/${name}:v1`, {
          body: {
            tag: {
              name: 'v1',
              from: { kind: 'DockerImage', name: `${proxy.host}/cursor/${name}:v1` },
              importPolicy: { scheduled: true },
            },
          },
        });
      }
      proxy.clear();
      const first = await capped.deps.scheduler.tick();
      expect(first.checked).toBe(1);
      expect(first.leftover.length).toBeGreaterThan(0);
      for (let i = 0; i < 12; i++) await capped.deps.scheduler.tick();
      const visited = new Set(
        proxy.seen.filter((r) => r.startsWith('HEAD')).map((r) => /cursor\/(c\d)\//.exec(r)?.[1]),
      );
      expect([...visited].sort()).toEqual(names);
    } finally {
      await capped.close();
    }
  });
});
