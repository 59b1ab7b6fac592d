import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiUnderTest, startApi } from '../support/api-under-test.ts';
import { pushImage, pushReferrer } from '../support/push-image.ts';
import { type RunningRegistry, startRegistry } from '../support/registry.ts';

// Issue 16, cosign 3's format: a Sigstore bundle (v0.3, DSSE over an in-toto statement) attached as an OCI 1.1
// referrer. distribution 2.8 has no referrers API, so the service must find it through the referrers tag.
// The bundle is made here with node:crypto (keyed: no Fulcio or Rekor needed).

let registry: RunningRegistry;
let api: ApiUnderTest;
const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const bundleType = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const payloadType = 'application/vnd.in-toto+json';

function keyedBundle(digest: string, signedDigest = digest): Buffer {
  const statement = Buffer.from(
    JSON.stringify({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ digest: { sha256: signedDigest.slice('sha256:'.length) } }],
      predicateType: 'https://sigstore.dev/cosign/sign/v1',
      predicate: {},
    }),
  );
  // DSSE's pre-authentication encoding, which is what the signature covers.
  const pae = Buffer.concat([
    Buffer.from(`DSSEv1 ${payloadType.length} ${payloadType} ${statement.length} `),
    statement,
  ]);
  const hint = createHash('sha256')
    .update(key.publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64');
  return Buffer.from(
    JSON.stringify({
      mediaType: bundleType,
      verificationMaterial: {
        publicKey: { hint },
        tlogEntries: [],
        timestampVerificationData: { rfc3161Timestamps: [] },
      },
      dsseEnvelope: {
        payload: statement.toString('base64'),
        payloadType,
        signatures: [{ sig: sign('sha256', pae, key.privateKey).toString('base64'), keyid: '' }],
      },
    }),
  );
}

beforeAll(async () => {
  registry = await startRegistry();
  api = await startApi({
    IMAGESTREAMS_INSECURE_REGISTRIES: registry.host,
    IMAGESTREAMS_CREDENTIALS_KEY: randomBytes(32).toString('base64'),
  });
  await api.call('POST', '/api/v1/namespaces/bun/secrets', {
    body: {
      metadata: { name: 'cosign-pub' },
      type: 'Opaque',
      stringData: { 'cosign.pub': key.publicKey.export({ type: 'spki', format: 'pem' }).toString() },
    },
  });
}, 120_000);
afterAll(async () => {
  await api?.close();
  await registry?.stop();
});

async function importTag(stream: string, repo: string) {
  const response = await api.call('POST', '/apis/image.openshift.io/v1/namespaces/bun/imagestreams', {
    body: {
      metadata: { name: stream },
      spec: {
        tags: [
          {
            name: 'prod',
            from: { kind: 'DockerImage', name: `${registry.host}/${repo}:v1` },
            annotations: { 'imagestreams.dev/verify': 'key', 'imagestreams.dev/verify-key': 'secret/cosign-pub' },
          },
        ],
      },
    },
  });
  expect(response.status).toBe(201);
  const got = await api.call('GET', `/apis/image.openshift.io/v1/namespaces/bun/imagestreams/${stream}`);
  return (
    got.json as {
      status: {
        tags: { items?: { image: string; signedBy?: string }[]; conditions?: { reason: string; message: string }[] }[];
      };
    }
  ).status.tags[0];
}

describe('Sigstore bundles as OCI referrers (referrers tag schema)', () => {
  it('accepts a digest whose referrer bundle verifies and names it', async () => {
    const image = await pushImage(registry, 'bun/ok', 'v1', { format: 'oci' });
    await pushReferrer(
      registry,
      'bun/ok',
      { digest: image.digest, mediaType: image.mediaType, size: image.manifestSize },
      bundleType,
      keyedBundle(image.digest),
    );
    const tag = await importTag('ok', 'bun/ok');
    expect(tag?.conditions ?? []).toEqual([]);
    expect(tag?.items?.map((i) => i.image)).toEqual([image.digest]);
    expect(tag?.items?.[0]?.signedBy).toContain('key secret/cosign-pub');
  });

  it('refuses a bundle whose statement names another digest', async () => {
    const image = await pushImage(registry, 'bun/other', 'v1', { format: 'oci' });
    const other = await pushImage(registry, 'bun/other', 'v2', { format: 'oci' });
    await pushReferrer(
      registry,
      'bun/other',
      { digest: image.digest, mediaType: image.mediaType, size: image.manifestSize },
      bundleType,
      keyedBundle(image.digest, other.digest),
    );
    const tag = await importTag('other', 'bun/other');
    expect(tag?.items ?? []).toEqual([]);
    expect(tag?.conditions?.[0]?.reason).toBe('SignatureInvalid');
    expect(tag?.conditions?.[0]?.message).toContain(`the signed statement does not name ${image.digest}`);
  });
});
