import { ECRClient } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EcrPullThroughServer } from '../../core/adapters/ecr/ecr-pull-through-server.ts';
import { EcrRepositoryCleaner } from '../../core/adapters/ecr/ecr-repository-cleaner.ts';
import { parseRegistryReference } from '../../core/references/registry-reference.ts';
import { type ApiUnderTest, startApi } from '../support/api-under-test.ts';
import { type EcrCacheEndpoint, startEcrCacheEndpoint } from '../support/ecr-cache-endpoint.ts';
import { pushImage } from '../support/push-image.ts';
import { type RunningRegistry, startRegistry } from '../support/registry.ts';

const host = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const registry = { host, prefix: 'imagestreams' };
const digest = `sha256:${'ab'.repeat(32)}`;

let ecr: EcrCacheEndpoint;
let client: ECRClient;

beforeAll(async () => {
  ecr = await startEcrCacheEndpoint();
  // One attempt: what a refusal does to the tag is the subject here, not the SDK's own retries.
  client = new ECRClient({
    region: 'eu-west-1',
    endpoint: ecr.url,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client.destroy();
  await ecr.stop();
});
beforeEach(() => {
  ecr.calls.length = 0;
  ecr.rules.clear();
  ecr.failing.clear();
  ecr.secrets.clear();
  ecr.racing = false;
});

const request = (source: string) => ({
  namespace: 'demo',
  stream: 'app',
  source: parseRegistryReference(source),
  digest,
  access: { insecure: false },
});
const operations = () => ecr.calls.map((c) => c.operation);

describe('ECR pull-through cache for Local tags', () => {
  it('creates the rule for an upstream once and records the cached reference by digest', async () => {
    const server = new EcrPullThroughServer({ client, registry });
    const first = await server.serve(request('quay.io/team/web:1.0'));
    const second = await server.serve(request('quay.io/other/tool:2'));
    expect(first).toEqual({ ok: true, dockerImageReference: `${host}/imagestreams-cache/quay/team/web@${digest}` });
    expect(second).toEqual({ ok: true, dockerImageReference: `${host}/imagestreams-cache/quay/other/tool@${digest}` });
    expect(operations()).toEqual(['DescribePullThroughCacheRules', 'CreatePullThroughCacheRule']);
    expect(ecr.calls[1]?.input).toEqual({
      ecrRepositoryPrefix: 'imagestreams-cache/quay',
      upstreamRegistryUrl: 'quay.io',
      upstreamRegistry: 'quay',
    });
  });

  it('reuses a rule that already exists, and one another instance created meanwhile', async () => {
    ecr.rules.set('imagestreams-cache/k8s', { upstreamRegistryUrl: 'registry.k8s.io' });
    const existing = await new EcrPullThroughServer({ client, registry }).serve(request('registry.k8s.io/pause:3.9'));
    expect(existing).toEqual({ ok: true, dockerImageReference: `${host}/imagestreams-cache/k8s/pause@${digest}` });
    expect(operations()).toEqual(['DescribePullThroughCacheRules']);

    ecr.racing = true;
    const raced = await new EcrPullThroughServer({ client, registry }).serve(request('public.ecr.aws/nginx/nginx:1'));
    expect(raced).toEqual({
      ok: true,
      dockerImageReference: `${host}/imagestreams-cache/ecr-public/nginx/nginx@${digest}`,
    });
  });

  it('says an upstream pull-through cache does not serve is not served, without calling ECR', async () => {
    const server = new EcrPullThroughServer({ client, registry });
    const result = await server.serve(request('registry.example.com/team/app:1'));
    expect(result).toMatchObject({ ok: false, reason: 'UnsupportedUpstream', transient: false });
    expect((result as { message: string }).message).toContain(
      'registry.example.com is not served by ECR pull-through cache',
    );
    const hub = await server.serve(request('docker.io/library/python:3.12'));
    expect(hub).toMatchObject({ ok: false, reason: 'UpstreamNeedsCredentials', transient: false });
    expect((hub as { message: string }).message).toBe(
      'ECR pull-through cache reaches registry-1.docker.io only with a Secrets Manager secret; the deployment names none for it (IMAGESTREAMS_PULL_THROUGH_CREDENTIALS=docker-hub=<secret ARN>)',
    );
    expect(operations()).toEqual([]);
  });

  describe('upstreams that take a secret (IMAGESTREAMS_PULL_THROUGH_CREDENTIALS)', () => {
    const hubSecret = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:ecr-pullthroughcache/docker-hub-AbCdEf';
    const rotated = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:ecr-pullthroughcache/docker-hub-2-GhIjKl';
    const withSecret = (secret: string) =>
      new EcrPullThroughServer({ client, registry, credentials: { 'docker-hub': secret } });

    it('creates the rule with the configured secret and records the cached reference', async () => {
      ecr.secrets.add(hubSecret);
      const served = await withSecret(hubSecret).serve(request('docker.io/library/python:3.12'));
      expect(served).toEqual({
        ok: true,
        dockerImageReference: `${host}/imagestreams-cache/docker-hub/library/python@${digest}`,
      });
      expect(ecr.calls.find((c) => c.operation === 'CreatePullThroughCacheRule')?.input).toEqual({
        ecrRepositoryPrefix: 'imagestreams-cache/docker-hub',
        upstreamRegistryUrl: 'registry-1.docker.io',
        upstreamRegistry: 'docker-hub',
        credentialArn: hubSecret,
      });
      expect(ecr.rules.get('imagestreams-cache/docker-hub')?.credentialArn).toBe(hubSecret);
    });

    it('updates a rule found with another secret to the configured one, and leaves one with the same alone', async () => {
      ecr.secrets.add(hubSecret).add(rotated);
      ecr.rules.set('imagestreams-cache/docker-hub', {
        upstreamRegistryUrl: 'registry-1.docker.io',
        upstreamRegistry: 'docker-hub',
        credentialArn: hubSecret,
      });
      expect(await withSecret(rotated).serve(request('docker.io/library/python:3.12'))).toMatchObject({ ok: true });
      expect(ecr.calls.map((c) => [c.operation, c.input])).toEqual([
        ['DescribePullThroughCacheRules', { ecrRepositoryPrefixes: ['imagestreams-cache/docker-hub'] }],
        [
          'UpdatePullThroughCacheRule',
          { ecrRepositoryPrefix: 'imagestreams-cache/docker-hub', credentialArn: rotated },
        ],
      ]);
      expect(ecr.rules.get('imagestreams-cache/docker-hub')?.credentialArn).toBe(rotated);

      ecr.calls.length = 0;
      expect(await withSecret(rotated).serve(request('docker.io/library/nginx:1'))).toMatchObject({ ok: true });
      expect(operations()).toEqual(['DescribePullThroughCacheRules']);
    });

    it('says ECR could not use the secret, as transient, and serves once the operator creates it', async () => {
      const server = withSecret(hubSecret);
      const missing = await server.serve(request('docker.io/library/python:3.12'));
      expect(missing).toMatchObject({ ok: false, reason: 'CredentialUnusable', transient: true });
      expect((missing as { message: string }).message).toContain(
        'ECR could not use the secret of the pull-through cache rule imagestreams-cache/docker-hub',
      );
      expect(ecr.rules.size).toBe(0);
      ecr.secrets.add(hubSecret);
      expect(await server.serve(request('docker.io/library/python:3.12'))).toMatchObject({ ok: true });
      expect(ecr.rules.get('imagestreams-cache/docker-hub')?.credentialArn).toBe(hubSecret);
    });

    it('refuses a secret of another account or region without calling ECR', async () => {
      const elsewhere = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:ecr-pullthroughcache/docker-hub-AbCdEf';
      const result = await withSecret(elsewhere).serve(request('docker.io/library/python:3.12'));
      expect(result).toMatchObject({ ok: false, reason: 'InvalidCredential', transient: false });
      expect((result as { message: string }).message).toContain('region us-east-1');
      expect(operations()).toEqual([]);
    });

    it('serves no other upstream with the secret of one', async () => {
      const result = await withSecret(hubSecret).serve(request('ghcr.io/acme/tool:1'));
      expect(result).toMatchObject({ ok: false, reason: 'UpstreamNeedsCredentials' });
      expect((result as { message: string }).message).toContain(
        'IMAGESTREAMS_PULL_THROUGH_CREDENTIALS=ghcr=<secret ARN>',
      );
      expect(operations()).toEqual([]);
    });
  });

  it('records an image already in the integrated registry as it is', async () => {
    const result = await new EcrPullThroughServer({ client, registry }).serve(
      request(`${host}/imagestreams/other/base:1`),
    );
    expect(result).toEqual({ ok: true, dockerImageReference: `${host}/imagestreams/other/base@${digest}` });
    expect(operations()).toEqual([]);
  });

  it('answers throttling as transient, and the next try creates the rule', async () => {
    const server = new EcrPullThroughServer({ client, registry });
    ecr.failing.set('DescribePullThroughCacheRules', 'ThrottlingException');
    const throttled = await server.serve(request('quay.io/team/web:1.0'));
    expect(throttled).toMatchObject({ ok: false, reason: 'Throttled', transient: true });
    expect(ecr.rules.size).toBe(0);
    ecr.failing.clear();
    const retried = await server.serve(request('quay.io/team/web:1.0'));
    expect(retried).toMatchObject({ ok: true });
    expect(ecr.rules.get('imagestreams-cache/quay')).toEqual({
      upstreamRegistryUrl: 'quay.io',
      upstreamRegistry: 'quay',
    });
  });

  it('answers access denied as transient: the operator grants it and the next import succeeds', async () => {
    const server = new EcrPullThroughServer({ client, registry });
    ecr.failing.set('CreatePullThroughCacheRule', 'AccessDeniedException');
    const denied = await server.serve(request('quay.io/team/web:1.0'));
    expect(denied).toMatchObject({ ok: false, reason: 'AccessDenied', transient: true });
    expect((denied as { message: string }).message).toContain('ECR refused the pull-through cache rule');
    ecr.failing.clear();
    expect(await server.serve(request('quay.io/team/web:1.0'))).toMatchObject({ ok: true });
  });

  it('refuses a registry prefix that would make the rule prefix longer than ECR allows', async () => {
    const long = { host, prefix: 'a-very-long-registry-prefix' };
    const result = await new EcrPullThroughServer({ client, registry: long }).serve(request('quay.io/team/web:1'));
    expect(result).toMatchObject({ ok: false, reason: 'InvalidRulePrefix' });
    expect(operations()).toEqual([]);
  });
});

describe("a deleted stream's ECR repository", () => {
  it('is deleted when it holds no image, without force', async () => {
    ecr.repositories.set('imagestreams/demo/empty', []);
    const released = await new EcrRepositoryCleaner({ client, registry }).release('demo', 'empty');
    expect(released).toEqual({ outcome: 'deleted', repository: 'imagestreams/demo/empty' });
    expect(ecr.repositories.has('imagestreams/demo/empty')).toBe(false);
    expect(ecr.calls.find((c) => c.operation === 'DeleteRepository')?.input).toEqual({
      repositoryName: 'imagestreams/demo/empty',
    });
  });

  it('is kept when it holds images, or when one arrives while it is deleted', async () => {
    ecr.repositories.set('imagestreams/demo/full', [digest]);
    const kept = await new EcrRepositoryCleaner({ client, registry }).release('demo', 'full');
    expect(kept).toEqual({ outcome: 'kept', repository: 'imagestreams/demo/full', why: 'it holds images' });
    expect(ecr.repositories.get('imagestreams/demo/full')).toEqual([digest]);
    expect(operations()).toEqual(['ListImages']);
  });

  it('is nothing to do when the stream never had one', async () => {
    const absent = await new EcrRepositoryCleaner({ client, registry }).release('demo', 'never');
    expect(absent).toEqual({ outcome: 'absent', repository: 'imagestreams/demo/never' });
  });
});

describe('Local tags with ECR as the integrated registry, through the API', () => {
  let api: ApiUnderTest;
  let source: RunningRegistry;
  beforeAll(async () => {
    source = await startRegistry();
    api = await startApi({
      IMAGESTREAMS_REGISTRY: `${host}/imagestreams`,
      IMAGESTREAMS_ECR_ENDPOINT: ecr.url,
      IMAGESTREAMS_INSECURE_REGISTRIES: source.host,
    });
  });
  afterAll(async () => {
    await api.close();
    await source.stop();
  });

  it('imports a tag whose upstream is not cached, recording the source with a LocalReference condition', async () => {
    const pushed = await pushImage(source, 'team/app', 'v1');
    const put = await api.call('PUT', '/apis/image.openshift.io/v1/namespaces/demo/imagestreamtags/app:v1', {
      body: {
        tag: {
          name: 'v1',
          from: { kind: 'DockerImage', name: `${source.host}/team/app:v1` },
          referencePolicy: { type: 'Local' },
        },
      },
    });
    expect(put.status).toBe(200);
    const stream = (await api.call('GET', '/apis/image.openshift.io/v1/namespaces/demo/imagestreams/app')).json;
    const status = stream.status.tags.find((t: { tag: string }) => t.tag === 'v1');
    expect(status.items[0]).toMatchObject({
      image: pushed.digest,
      dockerImageReference: `${source.host}/team/app@${pushed.digest}`,
    });
    expect(status.conditions).toEqual([
      expect.objectContaining({ type: 'LocalReference', status: 'False', reason: 'UnsupportedUpstream' }),
    ]);
    const describe = (await api.call('GET', '/apis/image.openshift.io/v1/namespaces/demo/imagestreams/app/describe'))
      .text;
    expect(describe).toContain('! warning: Not served by the integrated registry (UnsupportedUpstream)');
  });

  it("deletes the stream's empty repository with the stream", async () => {
    ecr.repositories.set('imagestreams/demo/gone', []);
    await api.call('POST', '/apis/image.openshift.io/v1/namespaces/demo/imagestreams', {
      body: { kind: 'ImageStream', apiVersion: 'image.openshift.io/v1', metadata: { name: 'gone' } },
    });
    const deleted = await api.call('DELETE', '/apis/image.openshift.io/v1/namespaces/demo/imagestreams/gone');
    expect(deleted.status).toBe(200);
    expect(ecr.repositories.has('imagestreams/demo/gone')).toBe(false);
  });
});
