import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidError, NotFoundError } from '../../core/errors.ts';
import { createDependencies } from '../../functions/lib/composition-root.ts';
import { type ApiUnderTest, principals, startApi, tokens } from '../support/api-under-test.ts';

/** A clock that moves only when the test says so. */
const clock = {
  at: Date.parse('2026-03-01T12:00:00Z'),
  now() {
    return new Date(this.at);
  },
};

let api: ApiUnderTest;
beforeAll(async () => {
  api = await startApi({ IMAGESTREAMS_IMPORT_TIMEOUT_MS: '0' }, clock);
});
afterAll(async () => {
  await api.close();
});

describe('the Clock', () => {
  it('decides when cached role bindings are read again, so a binding made elsewhere counts once they expire', async () => {
    expect(
      (await api.call('POST', '/api/v1/namespaces', { token: tokens.admin, body: { metadata: { name: 'clk' } } }))
        .status,
    ).toBe(201);
    const list = () =>
      api.call('GET', '/apis/image.openshift.io/v1/namespaces/clk/imagestreams', { token: tokens.viewer });
    expect((await list()).status).toBe(403);

    // Another instance of the service (another Lambda) grants the role: this one's cache does not know.
    const elsewhere = createDependencies(api.deps.config, { clock });
    await elsewhere.accessAdmin.putRoleBinding('clk', undefined, {
      metadata: { name: 'viewers' },
      roleRef: { name: 'view' },
      subjects: [{ kind: 'User', name: principals.viewer.user }],
    });
    elsewhere.dynamo.destroy();
    await elsewhere.registry.close();
    expect((await list()).status).toBe(403);

    clock.at += 6_000;
    expect((await list()).status).toBe(200);
  });
});

describe('wrapped errors', () => {
  it('keep what they wrap as their cause', async () => {
    await api.call('PUT', '/apis/image.openshift.io/v1/namespaces/causes/imagestreamtags/app:v1', {
      body: { tag: { name: 'v1', reference: true, from: { kind: 'DockerImage', name: 'quay.io/a/app:v1' } } },
    });
    const error = await api.deps.service
      .putImageStreamTag(principals.alice, 'causes', 'app:old', {
        tag: { name: 'old', from: { kind: 'ImageStreamImage', name: `app@sha256:${'f'.repeat(64)}` } },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidError);
    expect((error as Error).cause).toBeInstanceOf(NotFoundError);
  });
});
