import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiUnderTest, startApi } from '../support/api-under-test.ts';
import { pushImage } from '../support/push-image.ts';
import { type RunningRegistry, startRegistry } from '../support/registry.ts';

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

const importInto = (stream: string, from: string, to: string, importPolicy?: Record<string, unknown>) =>
  api.call('POST', '/apis/image.openshift.io/v1/namespaces/fail/imagestreamimports', {
    body: {
      metadata: { name: stream },
      spec: {
        import: true,
        images: [
          { from: { kind: 'DockerImage', name: from }, to: { name: to }, ...(importPolicy ? { importPolicy } : {}) },
        ],
      },
    },
  });
const failedEvents = () => api.bus.events.filter((e) => e.DetailType === 'ImageStreamTag Import Failed');
const specTag = async (stream: string, tag: string) =>
  (await api.call('GET', `/apis/image.openshift.io/v1/namespaces/fail/imagestreams/${stream}`)).json.spec.tags.find(
    (t: { name: string }) => t.name === tag,
  );

describe('POST imagestreamimports that fails', () => {
  it('publishes ImageStreamTag Import Failed and keeps the tag scheduled, with its image', async () => {
    const pushed = await pushImage(registry, 'fail/app', 'v1');
    const tagged = await api.call('PUT', '/apis/image.openshift.io/v1/namespaces/fail/imagestreamtags/app:v1', {
      body: {
        tag: {
          name: 'v1',
          from: { kind: 'DockerImage', name: `${registry.host}/fail/app:v1` },
          importPolicy: { scheduled: true },
        },
      },
    });
    expect(tagged.json.image.metadata.name).toBe(pushed.digest);
    const before = failedEvents().length;

    const response = await importInto('app', `${registry.host}/fail/app:missing`, 'v1');

    expect(response.status).toBe(201);
    expect(response.json.status.images[0].status).toMatchObject({ status: 'Failure', reason: 'NotFound' });
    const events = failedEvents().slice(before);
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]?.Detail ?? '{}')).toMatchObject({
      namespace: 'fail',
      imageStream: 'app',
      tag: 'v1',
      reason: 'NotFound',
    });
    const spec = await specTag('app', 'v1');
    expect(spec.importPolicy.scheduled).toBe(true);
    const status = (await api.call('GET', '/apis/image.openshift.io/v1/namespaces/fail/imagestreams/app')).json.status
      .tags[0];
    expect(status.items[0].image).toBe(pushed.digest);
  });

  it('lets the import turn scheduling off when it says so', async () => {
    await importInto('app', `${registry.host}/fail/app:v1`, 'v1', { scheduled: false });
    expect((await specTag('app', 'v1')).importPolicy.scheduled).toBeUndefined();
  });
});
