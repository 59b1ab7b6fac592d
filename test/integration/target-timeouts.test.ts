import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsTargets } from '../../core/adapters/targets/aws-targets.ts';
import { TargetDispatcher } from '../../core/adapters/targets/target-dispatcher.ts';
import { WebhookTarget } from '../../core/adapters/targets/webhook-target.ts';
import type { TargetFailure } from '../../core/triggers/target-failure.ts';
import type { TargetSpec, TriggerFiring } from '../../core/triggers/types.ts';
import { type AwsEndpoint, startAwsEndpoint } from '../support/aws-endpoint.ts';

let aws: AwsEndpoint;
// A webhook receiver that answers at once and then sends its body a byte at a time, for ever.
const dripping = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'text/plain' });
  const timer = setInterval(() => response.write('.'), 50);
  response.on('close', () => clearInterval(timer));
});
let drip: string;

beforeAll(async () => {
  aws = await startAwsEndpoint();
  await new Promise<void>((resolve) => dripping.listen(0, '127.0.0.1', resolve));
  drip = `127.0.0.1:${(dripping.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await aws.stop();
  dripping.closeAllConnections();
  await new Promise((resolve) => dripping.close(resolve));
});

const firing = (target: TargetSpec): TriggerFiring => ({
  trigger: { namespace: 'demo', name: 'build', from: { namespace: 'demo', stream: 'app', tag: 'latest' }, target },
  image: 'sha256:0000000000000000000000000000000000000000000000000000000000000001',
  pullSpec: 'quay.io/team/app@sha256:0000000000000000000000000000000000000000000000000000000000000001',
  firedAt: '2026-11-27T10:00:00.000Z',
  id: 'uid/sha256:1',
});

/** The AWS targets against the loopback endpoint, two attempts of `attemptTimeoutMs` each. */
const dispatcher = (attemptTimeoutMs: number) =>
  new TargetDispatcher({
    // Its own timeouts are per phase (connect, headers, each chunk of the body): long here, so that only the
    // attempt's limit can end an answer that keeps coming.
    webhook: async () => new WebhookTarget({ allowedPrivateHosts: new Set([drip]), timeoutMs: 10_000 }),
    aws: async () => new AwsTargets({ region: 'eu-west-1', endpoint: aws.url }),
    attempts: 2,
    retryDelayMs: 1,
    attemptTimeoutMs,
  });

describe('an AWS target that never answers', () => {
  it('costs each attempt at most its time limit, then fails as transient with the attempts made', async () => {
    const failure = (await dispatcher(200)
      .deliver(firing({ codeBuild: { project: 'stuck', imageEnvVar: 'IMAGE' } }), undefined)
      .catch((error: unknown) => error)) as TargetFailure;
    expect(failure).toMatchObject({
      permanent: false,
      attempts: 2,
      message: "CodeBuild project stuck: no answer within the attempt's time limit",
    });
    // One StartBuild per attempt: the SDK does not retry inside an attempt whose time is up.
    expect(aws.calls.filter((call) => call.input.projectName === 'stuck')).toHaveLength(2);
  });

  it('leaves an answering target alone', async () => {
    expect(
      await dispatcher(5_000).deliver(
        firing({ ecsService: { cluster: 'prod', service: 'web', container: 'web' } }),
        undefined,
      ),
    ).toBe(1);
  });
});

describe('a webhook whose answer never ends', () => {
  it('costs each attempt at most its time limit, whichever phase it is in, then fails as transient', async () => {
    const failure = (await dispatcher(300)
      .deliver(firing({ webhook: { url: `http://${drip}/hook` } }), undefined)
      .catch((error: unknown) => error)) as TargetFailure;
    expect(failure).toMatchObject({
      permanent: false,
      attempts: 2,
      message: `webhook ${drip}: no answer within the attempt's time limit`,
    });
  });
});
