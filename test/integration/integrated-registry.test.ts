import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiUnderTest, startApi } from '../support/api-under-test.ts';

const streams = '/apis/image.openshift.io/v1/namespaces/demo/imagestreams';

describe('status.dockerImageRepository', () => {
  let api: ApiUnderTest;
  let off: ApiUnderTest;
  beforeAll(async () => {
    [api, off] = await Promise.all([
      startApi({ IMAGESTREAMS_REGISTRY: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/imagestreams' }),
      startApi(),
    ]);
  });
  afterAll(() => Promise.all([api.close(), off.close()]));

  it("is the stream's repository in the integrated registry, in every answer that carries the stream", async () => {
    const repository = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/imagestreams/demo/python';
    const created = await api.call('POST', streams, {
      body: { kind: 'ImageStream', apiVersion: 'image.openshift.io/v1', metadata: { name: 'python' } },
    });
    expect(created.status).toBe(201);
    expect(created.json.status.dockerImageRepository).toBe(repository);
    expect((await api.call('GET', `${streams}/python`)).json.status.dockerImageRepository).toBe(repository);
    const list = await api.call('GET', streams);
    expect(list.json.items.map((s: any) => s.status.dockerImageRepository)).toEqual([repository]);
    const describe = await api.call('GET', `${streams}/python/describe`);
    expect(describe.text).toContain(`\nImage Repository:\t${repository}\n`);
  });

  it('is empty, and describe says <none>, when the registry is off', async () => {
    const created = await off.call('POST', streams, {
      body: { kind: 'ImageStream', apiVersion: 'image.openshift.io/v1', metadata: { name: 'python' } },
    });
    expect(created.json.status.dockerImageRepository).toBe('');
    expect((await off.call('GET', `${streams}/python/describe`)).text).toContain('\nImage Repository:\t<none>\n');
  });
});
