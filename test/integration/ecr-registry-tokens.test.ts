import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ApiUnderTest, startApi, tokens } from '../support/api-under-test.ts';
import { type EcrTokenEndpoint, startEcrTokenEndpoint } from '../support/ecr-token-endpoint.ts';
import { namespacedPath } from '../support/kube-paths.ts';

const registryHost = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const roleArn = 'arn:aws:iam::123456789012:role/imagestreams-registry-tokens';
const repositoryArn = (name: string) => `arn:aws:ecr:eu-west-1:123456789012:repository/imagestreams/demo/${name}`;

let api: ApiUnderTest;
let aws: EcrTokenEndpoint;

beforeAll(async () => {
  aws = await startEcrTokenEndpoint();
  api = await startApi({
    IMAGESTREAMS_REGISTRY: `${registryHost}/imagestreams`,
    IMAGESTREAMS_REGISTRY_TOKEN_ROLE_ARN: roleArn,
    IMAGESTREAMS_STS_ENDPOINT: aws.url,
    IMAGESTREAMS_ECR_ENDPOINT: aws.url,
  });
  const admin = (method: string, path: string, body?: unknown) =>
    api.call(method, path, { token: tokens.admin, ...(body ? { body } : {}) });
  await admin('POST', '/api/v1/namespaces', { metadata: { name: 'demo' } });
  for (const name of ['python', 'app'])
    expect((await admin('POST', namespacedPath('demo', 'imagestreams'), { metadata: { name } })).status).toBe(201);
  await admin('POST', namespacedPath('demo', 'rolebindings'), {
    metadata: { name: 'editors' },
    roleRef: { name: 'edit' },
    subjects: [{ kind: 'User', name: 'editor' }],
  });
}, 30_000);

afterAll(async () => {
  await api?.close();
  await aws?.stop();
});

beforeEach(() => {
  aws.calls.length = 0;
  aws.faults.clear();
  aws.tokenSeconds = 12 * 60 * 60;
});

const ask = (access: 'pull' | 'push', imageStreams: string[]) =>
  api.call('POST', namespacedPath('demo', 'registrytokens'), {
    token: tokens.editor,
    body: { spec: { access, imageStreams } },
  });

describe('registrytokens in AWS (STS session policy, ECR authorization token)', () => {
  it('gets a pull token under a session that may pull exactly the named repositories', async () => {
    const response = await ask('pull', ['python', 'app']);
    expect(response.status, response.text).toBe(201);
    const assume = aws.calls.filter((c) => c.service === 'sts');
    expect(assume).toHaveLength(1);
    expect(assume[0]?.input).toMatchObject({
      Action: 'AssumeRole',
      RoleArn: roleArn,
      RoleSessionName: 'registrytoken-editor',
      DurationSeconds: '3600',
    });
    expect(JSON.parse(assume[0]?.input.Policy)).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
        {
          Effect: 'Allow',
          Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
          Resource: [repositoryArn('python'), repositoryArn('app')],
        },
      ],
    });
    // The token comes from the session, never from the service's own credentials; a pull creates nothing.
    const ecr = aws.calls.filter((c) => c.service === 'ecr');
    expect(ecr.map((c) => [c.operation, c.accessKeyId])).toEqual([['GetAuthorizationToken', 'ASIA1']]);
    expect(response.json.status).toMatchObject({
      registry: registryHost,
      username: 'AWS',
      password: 'password-of-ASIA1',
    });
    // The session (an hour) ends before ECR's token (12 hours): the answer says when the session does.
    const expires = Date.parse(response.json.status.expirationTimestamp);
    expect(expires).toBeGreaterThan(Date.now() + 59 * 60 * 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 60 * 60 * 1000);
  });

  it('says when ECR’s token ends when it ends before the session', async () => {
    aws.tokenSeconds = 600;
    const response = await ask('pull', ['python']);
    const expires = Date.parse(response.json.status.expirationTimestamp);
    expect(expires).toBeLessThanOrEqual(Date.now() + 600 * 1000);
    expect(expires).toBeGreaterThan(Date.now() + 590 * 1000);
  });

  it('creates the repositories of a push token first, scanned on push with mutable tags, and allows exactly the push actions', async () => {
    const response = await ask('push', ['python']);
    expect(response.status, response.text).toBe(201);
    const create = aws.calls.find((c) => c.operation === 'CreateRepository');
    expect(create?.input).toEqual({
      repositoryName: 'imagestreams/demo/python',
      imageScanningConfiguration: { scanOnPush: true },
      imageTagMutability: 'MUTABLE',
    });
    expect(aws.repositories.has('imagestreams/demo/python')).toBe(true);
    const policy = JSON.parse(aws.calls.find((c) => c.operation === 'AssumeRole')?.input.Policy);
    expect(policy.Statement[1]).toEqual({
      Effect: 'Allow',
      Action: [
        'ecr:BatchGetImage',
        'ecr:GetDownloadUrlForLayer',
        'ecr:BatchCheckLayerAvailability',
        'ecr:PutImage',
        'ecr:InitiateLayerUpload',
        'ecr:UploadLayerPart',
        'ecr:CompleteLayerUpload',
      ],
      Resource: [repositoryArn('python')],
    });
    // Once the repository exists, ECR answers RepositoryAlreadyExists: that is fine.
    const again = await ask('push', ['python']);
    expect(again.status, again.text).toBe(201);
    expect(aws.calls.filter((c) => c.operation === 'CreateRepository')).toHaveLength(2);
  });

  it('answers 503 saying what AWS refused when the token role cannot be assumed, and creates nothing', async () => {
    aws.faults.set('AssumeRole', { code: 'AccessDenied', status: 403 });
    const response = await ask('pull', ['python']);
    expect(response.status).toBe(503);
    expect(response.json).toMatchObject({ kind: 'Status', reason: 'ServiceUnavailable', code: 503 });
    expect(response.json.message).toMatch(/STS AssumeRole refused the service \(AccessDenied\)/);
    expect(aws.calls.filter((c) => c.service === 'ecr')).toEqual([]);
  });

  it('answers 429 with Retry-After when ECR throttles', async () => {
    aws.faults.set('GetAuthorizationToken', { code: 'ThrottlingException', status: 400 });
    const response = await ask('pull', ['python']);
    expect(response.status).toBe(429);
    expect(response.json).toMatchObject({ kind: 'Status', reason: 'TooManyRequests', code: 429 });
    expect(response.json.message).toMatch(/throttled/);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('answers 503 when STS fails, and recovers once it answers again', async () => {
    aws.faults.set('AssumeRole', { code: 'InternalFailure', status: 500 });
    const failed = await ask('pull', ['python']);
    expect(failed.status).toBe(503);
    expect(failed.json.message).toMatch(/try again/);
    aws.faults.clear();
    expect((await ask('pull', ['python'])).status).toBe(201);
  });

  it('answers 503 when CreateRepository is refused, and asks STS for nothing', async () => {
    aws.faults.set('CreateRepository', { code: 'AccessDeniedException', status: 400 });
    const response = await ask('push', ['app']);
    expect(response.status).toBe(503);
    expect(response.json.message).toMatch(/ECR CreateRepository refused the service \(AccessDeniedException\)/);
    expect(aws.calls.filter((c) => c.service === 'sts')).toEqual([]);
  });

  it('answers 503, not a 429 to retry, when the repository quota is reached', async () => {
    aws.faults.set('CreateRepository', { code: 'LimitExceededException', status: 400 });
    const response = await ask('push', ['app']);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBeNull();
    expect(response.json.message).toMatch(/ECR CreateRepository refused the service \(LimitExceededException\)/);
  });

  it('gives the service its own ECR token for its registry, without a session', async () => {
    const credentials = await api.deps.credentials.credentialsFor('demo', registryHost);
    expect(credentials).toEqual({ username: 'AWS', password: 'password-of-local' });
    expect(aws.calls.map((c) => [c.service, c.operation, c.accessKeyId])).toEqual([
      ['ecr', 'GetAuthorizationToken', 'local'],
    ]);
    // Kept while it is valid: a burst of imports asks ECR once.
    await api.deps.credentials.credentialsFor('other', registryHost);
    expect(aws.calls).toHaveLength(1);
  });

  it('has no token realm in AWS: ECR authenticates its clients itself', async () => {
    const response = await api.call('GET', '/registry/token?scope=repository:imagestreams/demo/python:pull', {
      token: null,
    });
    expect(response.status).toBe(404);
    expect(response.json.message).toMatch(/no registry token realm/);
  });
});

describe('pull registrytokens for streams with Local tags served from ECR’s pull-through cache', () => {
  let cacheApi: ApiUnderTest;
  const cacheArn = (path: string) => `arn:aws:ecr:eu-west-1:123456789012:repository/imagestreams-cache/${path}`;
  const admin = (method: string, path: string, body?: unknown) =>
    cacheApi.call(method, path, { token: tokens.admin, ...(body ? { body } : {}) });
  /**
   * Arranges `stream:tag` as a Local import through the cache leaves it: current image first, recorded in
   * the account's registry (the import path itself is ecr-pull-through.test.ts's subject).
   */
  const recordTag = async (stream: string, tag: string, repositories: string[]) => {
    const state = await cacheApi.stores.streams.getStream('demo', stream);
    if (!state) throw new Error(`no stream ${stream}`);
    await cacheApi.stores.streams.putTag(state.stream, {
      name: tag,
      spec: { name: tag, referencePolicy: { type: 'Local' } },
      items: repositories.map((repository, i) => ({
        created: '2026-11-27T00:00:00Z',
        dockerImageReference: `${registryHost}/${repository}@sha256:${String(i).repeat(64)}`,
        image: `sha256:${String(i).repeat(64)}`,
        generation: 1,
      })),
      conditions: [],
      version: 0,
    });
  };
  const pullToken = (imageStreams: string[]) =>
    cacheApi.call('POST', namespacedPath('demo', 'registrytokens'), {
      token: tokens.viewer,
      body: { spec: { access: 'pull', imageStreams } },
    });
  const sessionPolicy = () => JSON.parse(aws.calls.find((c) => c.operation === 'AssumeRole')?.input.Policy);

  beforeAll(async () => {
    cacheApi = await startApi({
      IMAGESTREAMS_REGISTRY: `${registryHost}/imagestreams`,
      IMAGESTREAMS_REGISTRY_TOKEN_ROLE_ARN: roleArn,
      IMAGESTREAMS_STS_ENDPOINT: aws.url,
      IMAGESTREAMS_ECR_ENDPOINT: aws.url,
    });
    await admin('POST', '/api/v1/namespaces', { metadata: { name: 'demo' } });
    for (const name of ['python', 'tools', 'many', 'plain'])
      expect((await admin('POST', namespacedPath('demo', 'imagestreams'), { metadata: { name } })).status).toBe(201);
    await admin('POST', namespacedPath('demo', 'rolebindings'), {
      metadata: { name: 'pullers' },
      roleRef: { name: 'image-puller' },
      subjects: [{ kind: 'User', name: 'viewer' }],
    });
    await recordTag('python', '3.12', ['imagestreams-cache/docker-hub/library/python']);
    await recordTag('python', '3.13', ['imagestreams-cache/docker-hub/library/python']);
    await recordTag('python', 'web', ['imagestreams-cache/quay/team/web']);
    // Only the current image counts; another namespace's stream, or a repository outside the service's
    // prefixes, is never added.
    await recordTag('python', 'moved', ['imagestreams/other/secret', 'imagestreams-cache/k8s/pause']);
    await recordTag('python', 'elsewhere', ['team-private/app']);
    await recordTag('python', 'source', ['imagestreams-cache-not/quay/x']);
    await recordTag('tools', 'kubectl', ['imagestreams-cache/k8s/kubectl']);
    for (let i = 0; i < 20; i++) await recordTag('many', `t${i}`, [`imagestreams-cache/quay/team/application-${i}`]);
  }, 60_000);

  afterAll(async () => {
    await cacheApi?.close();
  });

  it('also allows pulling, through the cache, exactly the cached repositories the named streams’ tags record', async () => {
    const response = await pullToken(['python']);
    expect(response.status, response.text).toBe(201);
    expect(sessionPolicy()).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
        {
          Effect: 'Allow',
          Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
          Resource: [repositoryArn('python')],
        },
        {
          Effect: 'Allow',
          Action: [
            'ecr:BatchGetImage',
            'ecr:GetDownloadUrlForLayer',
            'ecr:BatchCheckLayerAvailability',
            'ecr:BatchImportUpstreamImage',
            'ecr:CreateRepository',
          ],
          Resource: [cacheArn('docker-hub/library/python'), cacheArn('quay/team/web')],
        },
      ],
    });
  });

  it('covers the cached repositories of every stream named, and none for a stream without Local tags', async () => {
    expect((await pullToken(['tools', 'python'])).status).toBe(201);
    expect(sessionPolicy().Statement[2].Resource).toEqual([
      cacheArn('docker-hub/library/python'),
      cacheArn('k8s/kubectl'),
      cacheArn('quay/team/web'),
    ]);
    aws.calls.length = 0;
    expect((await pullToken(['plain'])).status).toBe(201);
    expect(sessionPolicy().Statement).toHaveLength(2);
  });

  it('leaves a push token as it was: its streams’ repositories only', async () => {
    const response = await cacheApi.call('POST', namespacedPath('demo', 'registrytokens'), {
      token: tokens.admin,
      body: { spec: { access: 'push', imageStreams: ['python'] } },
    });
    expect(response.status, response.text).toBe(201);
    const statements = sessionPolicy().Statement;
    expect(statements).toHaveLength(2);
    expect(statements[1].Resource).toEqual([repositoryArn('python')]);
  });

  it('answers 422 naming the streams when their cached repositories make the session policy longer than STS allows, and asks AWS for nothing', async () => {
    const response = await pullToken(['many']);
    expect(response.status, response.text).toBe(422);
    expect(response.json.details.causes).toEqual([
      {
        reason: 'FieldValueTooMany',
        field: 'spec.imageStreams',
        message: expect.stringMatching(
          /^these image streams and the 20 pull-through cache repositories their tags record need a session policy of \d+ characters, over the 2048 STS allows: ask for fewer image streams in one token$/,
        ),
      },
    ]);
    expect(aws.calls).toEqual([]);
  });
});
