import { describe, expect, it } from 'vitest';
import { pullThroughPrefix, pullThroughUpstream } from '../../core/adapters/ecr/pull-through-upstreams.ts';
import { needsServing, servesLocally } from '../../core/importing/local-reference.ts';
import { recordImport } from '../../core/importing/record-import.ts';
import { ecrRegistryOf } from '../../core/references/ecr-registry.ts';
import { scheduleOf } from '../../core/scheduling/schedule.ts';
import type { TagRecord, TagReference } from '../../core/streams/types.ts';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const registry = { host: '127.0.0.1:5000', prefix: '' };
const spec: TagReference = {
  name: 'v1',
  from: { kind: 'DockerImage', name: 'quay.io/a/b:v1' },
  generation: 3,
  referencePolicy: { type: 'Local' },
};
const tag: TagRecord = {
  name: 'v1',
  spec,
  items: [{ created: 't0', dockerImageReference: `quay.io/a/b@${d('a')}`, image: d('a'), generation: 3 }],
  conditions: [],
  version: 4,
};
const ctx = { generation: 3, now: '2026-01-01T00:00:00Z', actor: 'scheduler', historyLimit: 10 };
const tooLarge = { reason: 'TooLarge', message: 'the image is 9 bytes, more than the 8', transient: false };

describe('which imports serve a Local tag', () => {
  it('serves Local tags only where the deployment has an integrated registry', () => {
    expect(servesLocally(spec, registry)).toBe(true);
    expect(servesLocally(spec, undefined)).toBe(false);
    expect(servesLocally({ ...spec, referencePolicy: { type: 'Source' } }, registry)).toBe(false);
  });

  it('serves an unchanged image again only while the tag does not record a served reference', () => {
    const unchanged = { unchanged: true, conditions: [] };
    expect(needsServing(registry, { ...unchanged, reference: `127.0.0.1:5000/demo/app@${d('a')}` })).toBe(false);
    expect(needsServing(registry, { ...unchanged, reference: `quay.io/a/b@${d('a')}` })).toBe(true);
    expect(needsServing(registry, { unchanged: false, conditions: [], reference: `127.0.0.1:5000/x@${d('a')}` })).toBe(
      true,
    );
  });
});

describe('recording an image that was not served', () => {
  it('moves the tag to the source and says why in a LocalReference condition', () => {
    const result = recordImport(
      tag,
      spec,
      { ok: true, image: d('b'), dockerImageReference: `quay.io/a/b@${d('b')}`, notServed: tooLarge },
      ctx,
    );
    expect(result.tag.items[0]).toMatchObject({ image: d('b'), dockerImageReference: `quay.io/a/b@${d('b')}` });
    expect(result.tag.conditions).toEqual([
      {
        type: 'LocalReference',
        status: 'False',
        lastTransitionTime: ctx.now,
        reason: 'TooLarge',
        message:
          'the image is 9 bytes, more than the 8; the tag records the source reference instead of one served by the integrated registry',
        generation: 3,
      },
    ]);
    expect(result.tag.importAttempts).toBeUndefined();
  });

  it('writes nothing when a later check finds the same image refused for the same reason', () => {
    const outcome = { ok: true as const, image: d('a'), dockerImageReference: `quay.io/a/b@${d('a')}` };
    const first = recordImport(tag, spec, { ...outcome, notServed: tooLarge }, ctx);
    const again = recordImport(first.tag, spec, { ...outcome, notServed: tooLarge }, { ...ctx, now: '2026-02-01' });
    expect(again.changed).toBe(false);
    expect(again.tag.conditions[0]?.lastTransitionTime).toBe(ctx.now);
    // Served at last: the condition goes.
    const served = recordImport(
      first.tag,
      spec,
      { ...outcome, dockerImageReference: `127.0.0.1:5000/demo/app@${d('a')}` },
      ctx,
    );
    expect(served.changed).toBe(true);
    expect(served.tag.conditions).toEqual([]);
    expect(served.tag.items).toHaveLength(1);
  });

  it('retries a transient refusal early, as a failed import is', () => {
    const throttled = recordImport(
      tag,
      spec,
      {
        ok: true,
        image: d('a'),
        dockerImageReference: `quay.io/a/b@${d('a')}`,
        notServed: { reason: 'Throttled', message: 'slow down', transient: true },
      },
      ctx,
    );
    expect(throttled.tag.importAttempts).toBe(1);
    const now = new Date(ctx.now);
    expect(scheduleOf('ns', 's', throttled.tag, now, { intervalSeconds: 900, retryBaseSeconds: 60 })).toEqual({
      dueAt: '2026-01-01T00:01:00.000Z',
    });
  });
});

describe('ECR pull-through cache naming', () => {
  it('knows the upstreams ECR caches, and which of them need credentials', () => {
    expect(pullThroughUpstream('quay.io')).toEqual({ alias: 'quay', url: 'quay.io', upstreamRegistry: 'quay' });
    expect(pullThroughUpstream('registry-1.docker.io')?.needs).toBe('secret');
    expect(pullThroughUpstream('myteam.azurecr.io')).toMatchObject({ alias: 'acr-myteam', needs: 'secret' });
    expect(pullThroughUpstream('210987654321.dkr.ecr.us-east-1.amazonaws.com')?.needs).toBe('role');
    expect(pullThroughUpstream('registry.example.com')).toBeUndefined();
  });

  it('names rules <prefix>-cache/<upstream> within ECR’s 30 characters', () => {
    const quay = pullThroughUpstream('public.ecr.aws');
    if (!quay) throw new Error('public.ecr.aws is an upstream');
    expect(pullThroughPrefix({ host: 'h', prefix: 'imagestreams' }, quay)).toBe('imagestreams-cache/ecr-public');
    expect(pullThroughPrefix({ host: 'h', prefix: '' }, quay)).toBe('imagestreams-cache/ecr-public');
    expect(pullThroughPrefix({ host: 'h', prefix: 'platform-images' }, quay)).toBeUndefined();
  });

  it('tells an ECR registry host from any other', () => {
    expect(ecrRegistryOf('123456789012.dkr.ecr.eu-west-1.amazonaws.com')).toEqual({
      accountId: '123456789012',
      region: 'eu-west-1',
    });
    expect(ecrRegistryOf('127.0.0.1:5000')).toBeUndefined();
  });
});
