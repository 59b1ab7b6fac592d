import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiUnderTest, startApi } from '../support/api-under-test.ts';
import { pushImage } from '../support/push-image.ts';
import { type RunningRegistry, startRegistry } from '../support/registry.ts';

// Bodies in the shapes oc sends them (Go encoding/json: nulls, empty objects, generation 0), replayed in the
// order oc sends them (reference/kubernetes-api.md §10). Our own fixtures, with the registry filled in here.
const fixtures = join(import.meta.dirname, '../fixtures/oc');
const base = '/apis/image.openshift.io/v1/namespaces/octest';

let api: ApiUnderTest;
let registry: RunningRegistry;
const body = (file: string, values: Record<string, string>) =>
  JSON.parse(
    Object.entries(values).reduce(
      (text, [name, value]) => text.replaceAll(name, value),
      readFileSync(join(fixtures, file), 'utf8'),
    ),
  );

beforeAll(async () => {
  registry = await startRegistry();
  api = await startApi({ IMAGESTREAMS_INSECURE_REGISTRIES: registry.host });
});
afterAll(async () => {
  await api.close();
  await registry.stop();
});

describe('oc tag and oc import-image, as oc sends them', () => {
  it('oc tag of a pull spec: PUT on a new stream imports it; POST after a 404 is served too', async () => {
    const v1 = await pushImage(registry, 'team/app', 'v1');
    const tag = body('tag-dockerimage.json', { REGISTRY: registry.host });
    const put = await api.call('PUT', `${base}/imagestreamtags/app:v1`, { body: tag });
    expect(put.status).toBe(200);
    expect(put.json.image.metadata.name).toBe(v1.digest);
    expect(put.json.tag.importPolicy.importMode).toBe('Legacy');

    const posted = await api.call('POST', `${base}/imagestreamtags`, {
      body: { ...tag, metadata: { ...tag.metadata, name: 'app:v1-copy' }, tag: { ...tag.tag, name: 'v1-copy' } },
    });
    expect(posted.status).toBe(201);
    expect(posted.json.image.metadata.name).toBe(v1.digest);
  });

  it('oc tag --alias: generation null, an empty importPolicy', async () => {
    const alias = await api.call('PUT', `${base}/imagestreamtags/app:stable`, {
      body: body('tag-alias.json', {}),
    });
    expect(alias.status).toBe(200);
    const stream = await api.call('GET', `${base}/imagestreams/app`);
    const stable = stream.json.spec.tags.find((t: { name: string }) => t.name === 'stable');
    expect(stable.from).toEqual({ kind: 'ImageStreamTag', name: 'app:v1' });
    // An alias follows its target: the alias serves the target's image.
    const served = await api.call('GET', `${base}/imagestreamtags/app:stable`);
    expect(served.json.image.metadata.name).toBe(
      (await api.call('GET', `${base}/imagestreamtags/app:v1`)).json.image.metadata.name,
    );
  });

  it('oc import-image: GET the stream, then POST the import with its resourceVersion; oc reads status.images', async () => {
    const v2 = await pushImage(registry, 'team/app', 'v2');
    const stream = await api.call('GET', `${base}/imagestreams/app`);
    const imported = await api.call('POST', `${base}/imagestreamimports`, {
      body: body('import-image.json', {
        REGISTRY: registry.host,
        RESOURCE_VERSION: stream.json.metadata.resourceVersion,
      }),
    });
    expect(imported.status).toBe(201);
    expect(imported.json.status.images).toEqual([
      expect.objectContaining({ tag: 'v2', status: expect.objectContaining({ status: 'Success' }) }),
    ]);
    expect(imported.json.status.images[0].image.metadata.name).toBe(v2.digest);
    const after = await api.call('GET', `${base}/imagestreamtags/app:v2`);
    expect(after.json.image.metadata.name).toBe(v2.digest);
  });
});
