import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSchedule } from '../../functions/lib/run-schedule.ts';
import { subscriptions } from '../../functions/lib/subscriptions.ts';
import { connectSubscriptions } from '../../functions/local/connect-subscriptions.ts';
import { InProcessBus } from '../../functions/local/in-process-bus.ts';
import { localDependencies } from '../../functions/local/local-dependencies.ts';
import { create as createTagChanged } from '../../functions/tag-changed.ts';
import { type ApiUnderTest, startApi } from '../support/api-under-test.ts';
import { type AwsEndpoint, startAwsEndpoint } from '../support/aws-endpoint.ts';
import { pushImage } from '../support/push-image.ts';
import { type RunningRegistry, startRegistry } from '../support/registry.ts';
import { until } from '../support/until.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

const secret = 'webhook-secret-0123456789';
let registry: RunningRegistry;
let receiver: WebhookReceiver;
let aws: AwsEndpoint;
let api: ApiUnderTest;
let delivered = 0;
/** What the trigger function did with each announced trigger (ImageTrigger Changed), in the order it finished. */
const handled: { trigger: string; change: string; counts: Record<string, number> }[] = [];

beforeAll(async () => {
  [registry, receiver, aws] = await Promise.all([startRegistry(), startWebhookReceiver(secret), startAwsEndpoint()]);
  api = await startApi({
    IMAGESTREAMS_INSECURE_REGISTRIES: registry.host,
    IMAGESTREAMS_ALLOWED_PRIVATE_HOSTS: receiver.host,
    IMAGESTREAMS_AWS_TARGETS_ENDPOINT: aws.url,
    IMAGESTREAMS_CREDENTIALS_KEY: randomBytes(32).toString('base64'),
    IMAGESTREAMS_DELIVERY_RETRY_DELAY_MS: '5',
    AWS_REGION: 'eu-west-1',
  });
  // The trigger function's rule, as declared: what the API and the reconcile announce reaches the trigger function
  // on its own. Tag changes are delivered by hand below (deliverEvents), to control copies and losses.
  const rule = subscriptions.find((s) => s.handler === 'functions/tag-changed.handler');
  if (!rule) throw new Error('no subscription for the trigger function');
  const handler = createTagChanged(api.deps);
  api.bus.route(rule.pattern, async (event) => {
    if (event['detail-type'] === 'ImageStreamTag Changed') return;
    const counts = await handler(event);
    const detail = event.detail as { trigger?: unknown; change?: unknown };
    handled.push({ trigger: String(detail.trigger), change: String(detail.change), counts });
  });
});
afterAll(async () => {
  await api.close(); // waits for the routed events still being handled
  expect(api.bus.routeErrors).toEqual([]);
  await Promise.all([registry.stop(), receiver.stop(), aws.stop()]);
});

/** What the EventBridge rule of functions/lib/subscriptions.ts does: hand new tag-change events to the fan-out, each `copies` times at once. */
async function deliverEvents(copies = 1): Promise<void> {
  const handler = createTagChanged(api.deps);
  const events = api.bus.events.slice(delivered).filter((e) => e.DetailType === 'ImageStreamTag Changed');
  delivered = api.bus.events.length;
  await Promise.all(
    events.flatMap((e) =>
      Array.from({ length: copies }, () =>
        handler({ source: e.Source, 'detail-type': e.DetailType, detail: JSON.parse(e.Detail) }),
      ),
    ),
  );
}

/**
 * One reconcile of the schedule (every shard), then its announcements handled: the bus routes them to the trigger
 * function as the rule does, and this waits until the trigger function has handled as many as were announced.
 */
async function reconcile() {
  const reconciled = () => handled.filter((h) => h.change === 'reconciled').length;
  const before = reconciled();
  const counts = await api.deps.reconciler.reconcile();
  return until(`the reconcile's ${counts.announced} announcement(s) to be handled`, async () =>
    reconciled() >= before + counts.announced ? counts : undefined,
  );
}
/** What the trigger function did with the reconcile's announcements of `name`. */
const reconciledOf = (name: string) =>
  handled.filter((h) => h.trigger === name && h.change === 'reconciled').map((h) => h.counts);

async function moveTag(stream: string): Promise<string> {
  const pushed = await pushImage(registry, `trig/${stream}`, 'v1');
  const response = await api.call('PUT', `/apis/image.openshift.io/v1/namespaces/trig/imagestreamtags/${stream}:v1`, {
    body: {
      tag: { name: 'v1', from: { kind: 'DockerImage', name: `${registry.host}/trig/${stream}:v1` }, generation: 0 },
    },
  });
  expect(response.json.image.metadata.name).toBe(pushed.digest);
  return pushed.digest;
}

const trigger = (name: string, stream: string, target: Record<string, unknown>, spec: Record<string, unknown> = {}) =>
  api.call('POST', '/apis/imagestreams.dev/v1/namespaces/trig/imagetriggers', {
    body: {
      apiVersion: 'imagestreams.dev/v1',
      kind: 'ImageTrigger',
      metadata: { name },
      spec: { from: { kind: 'ImageStreamTag', name: `${stream}:v1` }, target, ...spec },
    },
  });
const hooks = (path: string) => receiver.received.filter((r) => r.path === path);
const statusOf = async (name: string) =>
  (await api.call('GET', `/apis/imagestreams.dev/v1/namespaces/trig/imagetriggers/${name}`)).json.status;
/** The trigger's status once its firing has an outcome (the trigger function fires it, after the API answered). */
const outcomeOf = (name: string) =>
  until(`${name} to record a firing`, async () => {
    const status = await statusOf(name);
    return status?.lastSuccessAt || status?.lastError ? status : undefined;
  });

describe('webhook triggers', () => {
  it('fires on creation for the current image, with a signed CloudEvent, and again once per new image', async () => {
    const first = await moveTag('app');
    const created = await trigger('hook', 'app', { webhook: { url: receiver.url('/hook'), secret } });
    expect(created.status).toBe(201);
    expect(await outcomeOf('hook')).toMatchObject({
      lastTriggeredImage: first,
      lastTriggeredBy: 'user:alice',
      attempts: 1,
      lastSuccessAt: expect.any(String),
    });
    expect(hooks('/hook')).toHaveLength(1);
    const [call] = hooks('/hook');
    expect(call?.signed).toBe(true);
    expect(call?.headers['content-type']).toBe('application/cloudevents+json');
    const event = JSON.parse(call?.body ?? '{}');
    expect(event).toMatchObject({
      specversion: '1.0',
      type: 'dev.imagestreams.imagestreamtag.changed',
      subject: 'app:v1',
      data: {
        namespace: 'trig',
        imageStream: 'app',
        tag: 'v1',
        image: first,
        dockerImageReference: `${registry.host}/trig/app@${first}`,
      },
    });

    const second = await moveTag('app');
    await deliverEvents(5); // the same event delivered five times at once
    await deliverEvents(); // and nothing new: a later redelivery of the same state
    expect(hooks('/hook').map((h) => JSON.parse(h.body).data.image)).toEqual([first, second]);
  });

  it('never shows the secret', async () => {
    const everything = [
      (await api.call('GET', '/apis/imagestreams.dev/v1/namespaces/trig/imagetriggers')).text,
      (await api.call('GET', '/apis/imagestreams.dev/v1/namespaces/trig/imagetriggers/hook')).text,
    ].join('\n');
    expect(everything).not.toContain(secret);
    expect(JSON.stringify(api.bus.events)).not.toContain(secret);
  });

  it('retries a receiver that fails twice, then records the success', async () => {
    await moveTag('flaky');
    receiver.failNext([503, 500]);
    await trigger('flaky', 'flaky', { webhook: { url: receiver.url('/flaky'), secret } });
    const status = await outcomeOf('flaky');
    expect(status).toMatchObject({ attempts: 3, lastSuccessAt: expect.any(String) });
    expect(status.lastError).toBeUndefined();
    expect(hooks('/flaky')).toHaveLength(3);
  });

  it('gives up on a receiver that always fails: the status says why and a Trigger Failed event goes out', async () => {
    const image = await moveTag('down');
    receiver.alwaysFail('/down', 500);
    await trigger('down', 'down', { webhook: { url: receiver.url('/down'), secret } });
    expect(await outcomeOf('down')).toMatchObject({
      lastTriggeredImage: image,
      attempts: 4,
      lastError: expect.stringContaining('HTTP 500'),
    });
    expect(hooks('/down')).toHaveLength(4);
    await until('the Trigger Failed event', async () =>
      api.bus.details('Trigger Failed').some((d) => d.trigger === 'down') ? true : undefined,
    );
    expect(api.bus.details('Trigger Failed').at(-1)).toMatchObject({
      namespace: 'trig',
      trigger: 'down',
      image,
      attempts: 4,
    });
    await reconcile();
    expect(hooks('/down')).toHaveLength(4);
  });

  it('does nothing while paused, and fires once when resumed', async () => {
    await moveTag('quiet');
    const spec = {
      from: { kind: 'ImageStreamTag', name: 'quiet:v1' },
      target: { webhook: { url: receiver.url('/quiet'), secret } },
    };
    await api.call('POST', '/apis/imagestreams.dev/v1/namespaces/trig/imagetriggers', {
      body: { metadata: { name: 'quiet' }, spec: { ...spec, paused: true } },
    });
    await moveTag('quiet');
    await deliverEvents();
    await reconcile();
    expect(hooks('/quiet')).toHaveLength(0);
    const resumed = await api.call('PUT', '/apis/imagestreams.dev/v1/namespaces/trig/imagetriggers/quiet', {
      body: {
        metadata: { name: 'quiet' },
        spec: { ...spec, target: { webhook: { url: receiver.url('/quiet') } }, paused: false },
      },
    });
    expect(resumed.status).toBe(200);
    expect(await outcomeOf('quiet')).toMatchObject({ lastSuccessAt: expect.any(String) });
    await reconcile();
    expect(hooks('/quiet')).toHaveLength(1);
    expect(hooks('/quiet')[0]?.signed).toBe(true);
  });

  it('catches a change whose event was lost on the reconcile pass, and respects fireOnCreate: false', async () => {
    await moveTag('lost');
    await trigger('lost', 'lost', { webhook: { url: receiver.url('/lost'), secret } }, { fireOnCreate: false });
    expect(hooks('/lost')).toHaveLength(0);
    const moved = await moveTag('lost');
    delivered = api.bus.events.length; // the event is lost
    const outcome = await reconcile();
    expect(outcome.announced).toBeGreaterThanOrEqual(1);
    expect(reconciledOf('lost')).toEqual([expect.objectContaining({ fired: 1 })]);
    expect(hooks('/lost').map((h) => JSON.parse(h.body).data.image)).toEqual([moved]);
  });

  it('delivers again a firing that was claimed but never finished (its deliverer died), once its lease ran out', async () => {
    const image = await moveTag('crash');
    await trigger('crash', 'crash', { webhook: { url: receiver.url('/crash'), secret } }, { fireOnCreate: false });
    const record = await api.stores.triggers.getTrigger('trig', 'crash');
    if (!record) throw new Error('no trigger');
    const longAgo = new Date(Date.now() - 10 * 60_000).toISOString();
    expect(await api.stores.triggers.claimTrigger(record, image, longAgo, 'user:alice')).toEqual({ claimed: true }); // claimed, then the process died
    await reconcile();
    await reconcile();
    // Announced by the first reconcile only: the second finds the firing's success recorded.
    expect(reconciledOf('crash')).toEqual([expect.objectContaining({ fired: 1 })]);
    expect(hooks('/crash').map((h) => JSON.parse(h.body).data.image)).toEqual([image]);
    expect(await statusOf('crash')).toMatchObject({ lastTriggeredImage: image, lastSuccessAt: expect.any(String) });
  });

  it('fires a copy of the trigger read before an edit with the trigger as the failed claim answers it, reading nothing more', async () => {
    await moveTag('stale');
    await trigger('stale', 'stale', { webhook: { url: receiver.url('/stale-old'), secret } }, { fireOnCreate: false });
    const stale = await api.stores.triggers.getTrigger('trig', 'stale');
    if (!stale) throw new Error('no trigger');
    const edited = await api.call('PUT', '/apis/imagestreams.dev/v1/namespaces/trig/imagetriggers/stale', {
      body: {
        apiVersion: 'imagestreams.dev/v1',
        kind: 'ImageTrigger',
        metadata: { name: 'stale', resourceVersion: String(stale.version) },
        spec: {
          from: { kind: 'ImageStreamTag', name: 'stale:v1' },
          fireOnCreate: false,
          target: { webhook: { url: receiver.url('/stale-new') } },
        },
      },
    });
    expect(edited.status).toBe(200);
    // The edit is announced; the tag still points at the image the trigger was created to skip: nothing fires.
    await until('the edit to be handled', async () => (handled.some((h) => h.trigger === 'stale') ? true : undefined));
    const image = await moveTag('stale');
    delivered = api.bus.events.length; // fired here by hand, not by the event
    api.dynalite.requests.clear();
    expect(await api.deps.firing.fire(stale)).toBe('fired');
    expect(api.dynalite.requests.get('GetItem')).toBeUndefined();
    expect(hooks('/stale-old')).toHaveLength(0);
    expect(hooks('/stale-new').filter((h) => JSON.parse(h.body).data.image === image)).toHaveLength(1);
  });

  it.each([
    'https://127.0.0.1/hook',
    'https://10.0.0.1/hook',
    'https://169.254.169.254/latest/meta-data',
    'https://[::1]/hook',
    'https://[::ffff:10.0.0.1]/hook',
    'https://[::a00:1]/hook',
    'https://[fd00:ec2::254]/latest/meta-data',
    'https://metadata.google.internal/computeMetadata/v1/',
    'https://instance-data/latest/meta-data',
    'https://localhost/hook',
  ])('refuses a webhook to %s when the trigger is written, and stores nothing', async (url) => {
    const response = await trigger('inside', 'app', { webhook: { url, secret } });
    expect(response.status).toBe(422);
    expect(response.json.details.causes).toEqual([
      expect.objectContaining({ field: 'spec.target.webhook.url', message: expect.stringContaining('private') }),
    ]);
    expect((await api.call('GET', '/apis/imagestreams.dev/v1/namespaces/trig/imagetriggers/inside')).status).toBe(404);
  });

  it.each([
    [
      'plain HTTP to a host that is not allowed',
      { webhook: { url: 'http://example.com/hook', secret } },
      'spec.target.webhook.url',
    ],
    ['a webhook without a secret', { webhook: { url: 'https://example.com/hook' } }, 'spec.target.webhook.secret'],
    ['a short secret', { webhook: { url: 'https://example.com/hook', secret: 'short' } }, 'spec.target.webhook.secret'],
    [
      'two targets',
      { webhook: { url: 'https://example.com/hook', secret }, lambdaFunction: { functionName: 'f' } },
      'spec.target',
    ],
    ['an unknown target', { pagerDuty: {} }, 'spec.target'],
    [
      'a bad environment variable name',
      { codeBuild: { project: 'p', imageEnvVar: '1-IMAGE' } },
      'spec.target.codeBuild.imageEnvVar',
    ],
  ])('refuses %s and stores nothing', async (_what, target, field) => {
    const response = await trigger('refused', 'app', target);
    expect(response.status).toBe(422);
    expect(response.json.details.causes.map((c: { field: string }) => c.field)).toContain(field);
    expect((await api.call('GET', '/apis/imagestreams.dev/v1/namespaces/trig/imagetriggers/refused')).status).toBe(404);
  });
});

describe('a created or replaced trigger', () => {
  const announced = (name: string) =>
    api.bus.events.filter((e) => e.DetailType === 'ImageTrigger Changed' && JSON.parse(e.Detail).trigger === name);

  it('is answered at once while its receiver holds the response open, and shows the success once it answers', async () => {
    const image = await moveTag('slow');
    const release = receiver.hold('/slow');
    try {
      const created = await trigger('slow', 'slow', { webhook: { url: receiver.url('/slow'), secret } });
      expect(created.status).toBe(201);
      expect(created.json.status).toEqual({ attempts: 0 });
      await until('the receiver to be called', async () => (hooks('/slow').length ? true : undefined));
      // Called, not answered: the firing is under way after the API has answered.
      expect(await statusOf('slow')).toMatchObject({ lastTriggeredImage: image });
      expect((await statusOf('slow')).lastSuccessAt).toBeUndefined();
    } finally {
      release();
    }
    expect(await outcomeOf('slow')).toMatchObject({
      lastTriggeredImage: image,
      attempts: 1,
      lastSuccessAt: expect.any(String),
    });
    expect(hooks('/slow')).toHaveLength(1);
  });

  it('is announced on the bus once when created to fire, once per replace, and not when created with fireOnCreate: false', async () => {
    const image = await moveTag('told');
    const created = await trigger('told', 'told', { webhook: { url: receiver.url('/told'), secret } });
    const quiet = await trigger(
      'untold',
      'told',
      { webhook: { url: receiver.url('/untold'), secret } },
      { fireOnCreate: false },
    );
    expect(announced('told').map((e) => [e.Source, e.DetailType, JSON.parse(e.Detail)])).toEqual([
      [
        'imagestreams',
        'ImageTrigger Changed',
        {
          namespace: 'trig',
          trigger: 'told',
          uid: created.json.metadata.uid,
          change: 'created',
          changedAt: expect.any(String),
        },
      ],
    ]);
    expect(announced('untold')).toEqual([]);
    expect(await outcomeOf('told')).toMatchObject({ lastTriggeredImage: image });

    const replaced = await api.call('PUT', '/apis/imagestreams.dev/v1/namespaces/trig/imagetriggers/untold', {
      body: { ...quiet.json, spec: { ...quiet.json.spec, target: { webhook: { url: receiver.url('/untold') } } } },
    });
    expect(replaced.status).toBe(200);
    expect(announced('untold').map((e) => JSON.parse(e.Detail))).toEqual([
      {
        namespace: 'trig',
        trigger: 'untold',
        uid: quiet.json.metadata.uid,
        change: 'replaced',
        changedAt: expect.any(String),
      },
    ]);
    // A replace fires for an image the trigger has not fired for, except the one it was created to skip.
    await until('the replace to be handled', async () =>
      handled.some((h) => h.trigger === 'untold') ? true : undefined,
    );
    expect(handled.filter((h) => h.trigger === 'untold').map((h) => h.counts)).toEqual([
      expect.objectContaining({ 'up-to-date': 1, fired: 0 }),
    ]);
    expect(await statusOf('untold')).toEqual({ attempts: 0, skippedImage: image });
    expect(hooks('/untold')).toHaveLength(0);
  });

  it('fires nothing when the announced trigger was deleted since, or deleted and created again', async () => {
    await moveTag('gone');
    const spec = { fireOnCreate: false };
    const first = await trigger('gone', 'gone', { webhook: { url: receiver.url('/gone'), secret } }, spec);
    const late = {
      source: 'imagestreams',
      'detail-type': 'ImageTrigger Changed',
      detail: {
        namespace: 'trig',
        trigger: 'gone',
        uid: first.json.metadata.uid,
        change: 'created',
        changedAt: first.json.metadata.creationTimestamp,
      },
    };
    const path = '/apis/imagestreams.dev/v1/namespaces/trig/imagetriggers/gone';
    expect((await api.call('DELETE', path)).status).toBe(200);
    const again = await trigger('gone', 'gone', { webhook: { url: receiver.url('/gone'), secret } }, spec);
    expect(again.json.metadata.uid).not.toBe(first.json.metadata.uid);
    const nothing = { fired: 0, failed: 0, paused: 0, 'no-image': 0, 'up-to-date': 0, 'claimed-elsewhere': 0 };
    expect(await createTagChanged(api.deps)(late)).toEqual(nothing);
    expect((await api.call('DELETE', path)).status).toBe(200);
    expect(await createTagChanged(api.deps)(late)).toEqual(nothing);
    expect(hooks('/gone')).toEqual([]);
  });
});

describe('the schedule’s reconcile', () => {
  const images = (path: string) => hooks(path).map((h) => JSON.parse(h.body).data.image);
  const hook = (name: string) => ({ webhook: { url: receiver.url(`/${name}`), secret } });
  /** What the reconcile announced since `from`, for the triggers named `rc-…`. */
  const announcedSince = (from: number) =>
    api.bus.events
      .slice(from)
      .filter((e) => e.DetailType === 'ImageTrigger Changed')
      .map((e) => JSON.parse(e.Detail))
      .filter((d) => d.change === 'reconciled' && String(d.trigger).startsWith('rc-'));
  const claimedAt = async (name: string, image: string, at: string) => {
    const record = await api.stores.triggers.getTrigger('trig', name);
    if (!record) throw new Error(`no trigger ${name}`);
    expect(await api.stores.triggers.claimTrigger(record, image, at, 'user:alice')).toEqual({ claimed: true });
  };

  it('announces each due trigger once, and none that is up to date, paused, skipped, without image or claimed', async () => {
    // Up to date: fired on creation for the tag's image.
    const done = await moveTag('rc-done');
    await trigger('rc-done', 'rc-done', hook('rc-done'));
    expect(await outcomeOf('rc-done')).toMatchObject({ lastTriggeredImage: done });
    // Paused, with an image it never fired for.
    await moveTag('rc-paused');
    await trigger('rc-paused', 'rc-paused', hook('rc-paused'), { paused: true });
    // Created with fireOnCreate: false while the tag pointed at its image.
    await moveTag('rc-skip');
    await trigger('rc-skip', 'rc-skip', hook('rc-skip'), { fireOnCreate: false });
    // A tag without an image.
    await trigger('rc-unborn', 'rc-unborn', hook('rc-unborn'), { fireOnCreate: false });
    // A firing under way: claimed just now, its lease running.
    const busy = await moveTag('rc-busy');
    await trigger('rc-busy', 'rc-busy', hook('rc-busy'), { fireOnCreate: false });
    await claimedAt('rc-busy', busy, new Date().toISOString());
    // Due: the tag moved and its event was lost.
    await moveTag('rc-lost');
    await trigger('rc-lost', 'rc-lost', hook('rc-lost'), { fireOnCreate: false });
    const lost = await moveTag('rc-lost');
    delivered = api.bus.events.length;
    // Due: claimed long ago, and its deliverer died before recording an outcome.
    const dead = await moveTag('rc-dead');
    const created = await trigger('rc-dead', 'rc-dead', hook('rc-dead'), { fireOnCreate: false });
    await claimedAt('rc-dead', dead, new Date(Date.now() - 10 * 60_000).toISOString());

    const from = api.bus.events.length;
    const counts = await reconcile();
    const announced = announcedSince(from);
    expect(announced.map((d) => d.trigger).sort()).toEqual(['rc-dead', 'rc-lost']);
    expect(announced.find((d) => d.trigger === 'rc-dead')).toEqual({
      namespace: 'trig',
      trigger: 'rc-dead',
      uid: created.json.metadata.uid,
      change: 'reconciled',
      changedAt: expect.any(String),
    });
    // The counts are the whole tick's (other tests' triggers too): what it published, all taken by the bus.
    const published = api.bus.events
      .slice(from)
      .filter((e) => e.DetailType === 'ImageTrigger Changed' && JSON.parse(e.Detail).change === 'reconciled');
    expect(counts).toMatchObject({ announced: published.length, unannounced: 0 });
    expect(counts.abandoned).toBeGreaterThanOrEqual(1);
    for (const outcome of ['upToDate', 'paused', 'skipped', 'noImage'] as const)
      expect(counts[outcome], outcome).toBeGreaterThanOrEqual(1);

    // The trigger function fired the announced ones, as it fires the API's announcements.
    expect(images('/rc-lost')).toEqual([lost]);
    expect(images('/rc-dead')).toEqual([dead]);
    expect(images('/rc-done')).toEqual([done]);
    for (const quiet of ['/rc-paused', '/rc-skip', '/rc-unborn', '/rc-busy']) expect(hooks(quiet), quiet).toEqual([]);

    // Fired since: the next tick announces none of them.
    const next = api.bus.events.length;
    await reconcile();
    expect(announcedSince(next)).toEqual([]);
  });

  it('reaches the trigger function through local mode’s in-process bus, as the ticker runs it', async () => {
    // Local mode's wiring (start.ts) over the same table: its bus hands the announcements to the subscribed handlers.
    const bus = new InProcessBus(api.deps.logger);
    const local = localDependencies(api.deps.config, { publisher: bus, logger: api.deps.logger });
    await connectSubscriptions(bus, local);
    try {
      await moveTag('rc-local');
      await trigger('rc-local', 'rc-local', hook('rc-local'), { fireOnCreate: false });
      const moved = await moveTag('rc-local');
      delivered = api.bus.events.length; // lost
      const report = await runSchedule(local, 0, 1);
      expect(report.triggers.announced).toBeGreaterThanOrEqual(1);
      expect(await outcomeOf('rc-local')).toMatchObject({ lastTriggeredImage: moved });
      expect(images('/rc-local')).toEqual([moved]);
    } finally {
      local.dynamo.destroy();
      await local.registry.close();
    }
  });
});

describe('a trigger created with fireOnCreate: false', () => {
  const images = (path: string) => hooks(path).map((h) => JSON.parse(h.body).data.image);
  const skipping = (name: string, stream: string, spec: Record<string, unknown> = {}) =>
    trigger(name, stream, { webhook: { url: receiver.url(`/${name}`), secret } }, { fireOnCreate: false, ...spec });

  it('never fires for the image its tag pointed at then, reconcile after reconcile, and fires once for the next', async () => {
    const skipped = await moveTag('skip');
    const created = await skipping('skip', 'skip');
    expect(created.status).toBe(201);
    expect(created.json.status).toEqual({ attempts: 0, skippedImage: skipped });
    await reconcile();
    await reconcile();
    expect(hooks('/skip')).toEqual([]);
    expect(await statusOf('skip')).toEqual({ attempts: 0, skippedImage: skipped });

    const next = await moveTag('skip');
    await deliverEvents();
    await reconcile();
    expect(images('/skip')).toEqual([next]);
    expect(await statusOf('skip')).toMatchObject({
      skippedImage: skipped,
      lastTriggeredImage: next,
      lastSuccessAt: expect.any(String),
    });

    // Fired since: the tag coming back to the skipped image is a change like any other.
    const back = await api.call('PUT', '/apis/image.openshift.io/v1/namespaces/trig/imagestreamtags/skip:v1', {
      body: {
        tag: {
          name: 'v1',
          from: { kind: 'DockerImage', name: `${registry.host}/trig/skip@${skipped}` },
          generation: 0,
        },
      },
    });
    expect(back.json.image.metadata.name).toBe(skipped);
    await deliverEvents();
    await reconcile();
    expect(images('/skip')).toEqual([next, skipped]);
  });

  it('skips nothing when its tag had no image yet: the first image fires', async () => {
    const created = await skipping('unborn', 'unborn');
    expect(created.json.status).toEqual({ attempts: 0 });
    expect(await statusOf('unborn')).toEqual({ attempts: 0 });
    await reconcile();
    const first = await moveTag('unborn');
    await reconcile();
    await deliverEvents();
    expect(images('/unborn')).toEqual([first]);
  });

  it('is not fired for the skipped image by a replace either, and keeps it through PUT and PATCH', async () => {
    const skipped = await moveTag('edited');
    const created = await skipping('edited', 'edited');
    const path = '/apis/imagestreams.dev/v1/namespaces/trig/imagetriggers/edited';
    const put = await api.call('PUT', path, {
      body: { ...created.json, spec: { ...created.json.spec, target: { webhook: { url: receiver.url('/edited') } } } },
    });
    expect(put.status).toBe(200);
    expect(put.json.status).toEqual({ attempts: 0, skippedImage: skipped });
    const patched = await api.call('PATCH', path, {
      body: { spec: { fireOnCreate: true } },
      headers: { 'content-type': 'application/merge-patch+json' },
    });
    expect(patched.status).toBe(200);
    expect(patched.json.status).toEqual({ attempts: 0, skippedImage: skipped });
    await until('the replace and the patch to be handled', async () =>
      handled.filter((h) => h.trigger === 'edited').length === 2 ? true : undefined,
    );
    expect(handled.filter((h) => h.trigger === 'edited').map((h) => h.counts)).toEqual([
      expect.objectContaining({ 'up-to-date': 1, fired: 0 }),
      expect.objectContaining({ 'up-to-date': 1, fired: 0 }),
    ]);
    await reconcile();
    expect(hooks('/edited')).toEqual([]);
    const stored = await api.stores.triggers.getTrigger('trig', 'edited');
    expect(stored?.status).toEqual({ attempts: 0, skippedImage: skipped });
  });

  it('is described in the OpenAPI document kubectl explain reads', async () => {
    const document = (await api.call('GET', '/openapi/v3/apis/imagestreams.dev/v1')).json;
    const kinds = Object.values(document.components.schemas) as {
      'x-kubernetes-group-version-kind'?: { kind: string }[];
      properties?: Record<string, { properties?: Record<string, { description?: string }> }>;
    }[];
    const schema = kinds.find((k) => k['x-kubernetes-group-version-kind']?.[0]?.kind === 'ImageTrigger');
    expect(schema?.properties?.status?.properties?.skippedImage?.description).toContain('fireOnCreate: false');
    expect(schema?.properties?.status?.properties?.lastTriggeredImage?.description).toContain('last fired for');
  });

  it('takes no status from the client: not on create, not on replace, not by a patch', async () => {
    const image = await moveTag('forged');
    const forged = { skippedImage: image, lastTriggeredImage: 'sha256:forged', attempts: 7 };
    const created = await api.call('POST', '/apis/imagestreams.dev/v1/namespaces/trig/imagetriggers', {
      body: {
        metadata: { name: 'forged' },
        spec: {
          from: { kind: 'ImageStreamTag', name: 'forged:v1' },
          target: { webhook: { url: receiver.url('/forged'), secret } },
        },
        status: forged,
      },
    });
    expect(created.status).toBe(201);
    expect(created.json.status).toEqual({ attempts: 0 });
    // Created to fire, and it does: the forged skippedImage was not taken.
    expect(await outcomeOf('forged')).toMatchObject({ lastTriggeredImage: image, lastSuccessAt: expect.any(String) });
    const before = await statusOf('forged');
    expect(before.skippedImage).toBeUndefined();

    const path = '/apis/imagestreams.dev/v1/namespaces/trig/imagetriggers/forged';
    const current = (await api.call('GET', path)).json;
    const put = await api.call('PUT', path, { body: { ...current, status: forged } });
    expect(put.status).toBe(200);
    expect(put.json.status).toEqual(before);
    const patched = await api.call('PATCH', path, {
      body: { status: { skippedImage: 'sha256:patched' } },
      headers: { 'content-type': 'application/merge-patch+json' },
    });
    expect(patched.status).toBe(200);
    expect(patched.json.status).toEqual(before);
    expect((await api.stores.triggers.getTrigger('trig', 'forged'))?.status).toEqual(before);
  });
});

describe('AWS targets', () => {
  it('starts a CodeBuild build with the image by digest in the named variable', async () => {
    const image = await moveTag('build');
    await trigger('build', 'build', { codeBuild: { project: 'app-build', imageEnvVar: 'BASE_IMAGE' } });
    expect(await outcomeOf('build')).toMatchObject({ lastTriggeredImage: image, lastSuccessAt: expect.any(String) });
    const call = aws.calls.find((c) => c.operation === 'StartBuild' && c.input.projectName === 'app-build');
    expect(call?.input.environmentVariablesOverride).toEqual([
      { name: 'BASE_IMAGE', value: `${registry.host}/trig/build@${image}`, type: 'PLAINTEXT' },
    ]);
  });

  it('rolls an ECS service to a new task definition whose container runs the digest', async () => {
    const image = await moveTag('deploy');
    await trigger('deploy', 'deploy', { ecsService: { cluster: 'prod', service: 'web', container: 'web' } });
    expect(await outcomeOf('deploy')).toMatchObject({ lastSuccessAt: expect.any(String) });
    const registered = aws.calls.filter((c) => c.operation === 'RegisterTaskDefinition').at(-1);
    expect(registered?.input.family).toBe('web');
    expect(registered?.input.containerDefinitions).toEqual([
      { name: 'web', image: `${registry.host}/trig/deploy@${image}`, essential: true },
      { name: 'log-router', image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable', essential: false },
    ]);
    const updated = aws.calls.filter((c) => c.operation === 'UpdateService').at(-1);
    expect(updated?.input).toMatchObject({
      cluster: 'prod',
      service: 'web',
      taskDefinition: expect.stringMatching(/task-definition\/web:4$/),
    });
  });

  it('points a Lambda container function at the digest, and re-emits to an EventBridge bus', async () => {
    const image = await moveTag('fn');
    await trigger('fn', 'fn', { lambdaFunction: { functionName: 'thumbnailer' } });
    await trigger('fn-event', 'fn', { eventBridge: { busName: 'ci-bus', detailType: 'Deployment Requested' } });
    expect(await outcomeOf('fn')).toMatchObject({ lastSuccessAt: expect.any(String) });
    expect(await outcomeOf('fn-event')).toMatchObject({ lastSuccessAt: expect.any(String) });
    expect(aws.calls.find((c) => c.operation === 'UpdateFunctionCode')?.input).toEqual({
      FunctionName: 'thumbnailer',
      ImageUri: `${registry.host}/trig/fn@${image}`,
    });
    const put = aws.calls.find((c) => c.service === 'events')?.input.Entries?.[0];
    expect(put).toMatchObject({ EventBusName: 'ci-bus', Source: 'imagestreams', DetailType: 'Deployment Requested' });
    expect(JSON.parse(put.Detail)).toMatchObject({
      imageStream: 'fn',
      image,
      dockerImageReference: `${registry.host}/trig/fn@${image}`,
    });
  });

  it.each([
    ['access denied', { codeBuild: { project: 'locked', imageEnvVar: 'IMAGE' } }, 'AccessDeniedException'],
    [
      'a service that does not exist',
      { ecsService: { cluster: 'prod', service: 'ghost', container: 'web' } },
      'service not found',
    ],
    ['a function that does not exist', { lambdaFunction: { functionName: 'ghost' } }, 'ResourceNotFoundException'],
  ])('records %s without retrying', async (_what, target, message) => {
    await moveTag('fail');
    const name = `fail-${Object.keys(target)[0]?.toLowerCase()}`;
    await trigger(name, 'fail', target);
    expect(await outcomeOf(name)).toMatchObject({ attempts: 1, lastError: expect.stringContaining(message) });
    await until('the Trigger Failed event', async () =>
      api.bus.details('Trigger Failed').some((d) => d.trigger === name) ? true : undefined,
    );
  });
});
