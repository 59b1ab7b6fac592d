import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiUnderTest, startApi } from '../support/api-under-test.ts';
import { pushCosignSignature, pushImage, pushReferrer, simpleSigningPayload } from '../support/push-image.ts';
import { type RunningRegistry, startRegistry } from '../support/registry.ts';
import { type SigstoreInstance, startSigstore } from '../support/sigstore-instance.ts';

// Issue 16, keyless: images signed through a private Sigstore (@sigstore/mock's Fulcio, CT log and Rekor on a
// loopback socket, @sigstore/sign as the client), bundles attached as OCI referrers on the real registry, and
// the API trusting that Sigstore through IMAGESTREAMS_SIGSTORE_TRUSTED_ROOT.

let registry: RunningRegistry;
let sigstore: SigstoreInstance;
/** Another Sigstore, which the API's trusted root does not name. */
let foreign: SigstoreInstance;
let api: ApiUnderTest;
let rootDir: string;
const bundleType = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const signer = { subject: 'builder@example.com', issuer: 'https://issuer.example.com' };

function statementFor(digest: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ digest: { sha256: digest.slice('sha256:'.length) } }],
      predicateType: 'https://sigstore.dev/cosign/sign/v1',
      predicate: {},
    }),
  );
}

beforeAll(async () => {
  registry = await startRegistry();
  sigstore = await startSigstore();
  foreign = await startSigstore();
  rootDir = await mkdtemp(join(tmpdir(), 'keyless-'));
  const rootFile = join(rootDir, 'trusted_root.json');
  await writeFile(rootFile, JSON.stringify(sigstore.trustedRoot));
  api = await startApi({
    IMAGESTREAMS_INSECURE_REGISTRIES: registry.host,
    IMAGESTREAMS_CREDENTIALS_KEY: randomBytes(32).toString('base64'),
    IMAGESTREAMS_SIGSTORE_TRUSTED_ROOT: rootFile,
  });
}, 120_000);
afterAll(async () => {
  await api?.close();
  await sigstore?.stop();
  await foreign?.stop();
  await registry?.stop();
  if (rootDir) await rm(rootDir, { recursive: true, force: true });
});

type TagStatus = {
  items?: { image: string; signedBy?: string }[];
  conditions?: { reason: string; message: string }[];
};

type How = { classic?: boolean; by?: SigstoreInstance; withoutRekor?: boolean; rekor?: (bundle: string) => string };

/**
 * Pushes `repo:v1`, signs it keylessly as `who` — a bundle referrer, or with `classic` a `.sig` tag as cosign
 * ≤ 2.x writes — and imports it into a stream whose tag has `annotations`.
 */
async function signedImport(
  stream: string,
  who: typeof signer,
  annotations: Record<string, string>,
  { classic = false, by = sigstore, withoutRekor = false, rekor = (bundle) => bundle }: How = {},
) {
  const repo = `keyless/${stream}`;
  const image = await pushImage(registry, repo, 'v1', { format: 'oci' });
  if (classic) {
    const payload = simpleSigningPayload(`${registry.host}/${repo}`, image.digest);
    const signed = await by.signClassic(payload, who);
    await pushCosignSignature(registry, repo, image.digest, [
      {
        payload,
        annotations: {
          'dev.cosignproject.cosign/signature': signed.signature,
          'dev.sigstore.cosign/certificate': signed.certificate,
          'dev.sigstore.cosign/chain': signed.chain,
          ...(withoutRekor ? {} : { 'dev.sigstore.cosign/bundle': rekor(signed.rekorBundle) }),
        },
      },
    ]);
  } else
    await pushReferrer(
      registry,
      repo,
      { digest: image.digest, mediaType: image.mediaType, size: image.manifestSize },
      bundleType,
      await by.signStatement(statementFor(image.digest), who),
    );
  const response = await api.call('POST', '/apis/image.openshift.io/v1/namespaces/keyless/imagestreams', {
    body: {
      metadata: { name: stream },
      spec: {
        tags: [
          {
            name: 'prod',
            from: { kind: 'DockerImage', name: `${registry.host}/${repo}:v1` },
            annotations: { 'imagestreams.dev/verify': 'keyless', ...annotations },
          },
        ],
      },
    },
  });
  expect(response.status).toBe(201);
  const got = await api.call('GET', `/apis/image.openshift.io/v1/namespaces/keyless/imagestreams/${stream}`);
  return { image, tag: (got.json as { status: { tags: TagStatus[] } }).status.tags[0] };
}

const exactly = (identity: string, issuer: string) => ({
  'imagestreams.dev/verify-identity': identity,
  'imagestreams.dev/verify-issuer': issuer,
});

describe('keyless signatures (Fulcio certificate, Rekor entry, private trusted root)', () => {
  it('imports an image signed by the expected identity and issuer, and records the signer', async () => {
    const { image, tag } = await signedImport('ok', signer, exactly(signer.subject, signer.issuer));
    expect(tag?.conditions ?? []).toEqual([]);
    expect(tag?.items?.map((i) => i.image)).toEqual([image.digest]);
    expect(tag?.items?.[0]?.signedBy).toBe('builder@example.com (https://issuer.example.com)');
  });

  it('refuses a signature by another identity', async () => {
    const { tag } = await signedImport(
      'who',
      { ...signer, subject: 'intruder@example.com' },
      exactly(signer.subject, signer.issuer),
    );
    expect(tag?.items ?? []).toEqual([]);
    expect(tag?.conditions?.[0]?.reason).toBe('SignatureInvalid');
    expect(tag?.conditions?.[0]?.message).toContain('signed by identity "intruder@example.com"');
  });

  it('refuses a signature from another issuer', async () => {
    const { tag } = await signedImport(
      'issuer',
      { ...signer, issuer: 'https://other.example.com' },
      exactly(signer.subject, signer.issuer),
    );
    expect(tag?.items ?? []).toEqual([]);
    expect(tag?.conditions?.[0]?.reason).toBe('SignatureInvalid');
    expect(tag?.conditions?.[0]?.message).toContain('from issuer "https://other.example.com"');
  });

  it('matches the identity by regular expression, against the whole value', async () => {
    const { image, tag } = await signedImport('regexp', signer, {
      'imagestreams.dev/verify-identity-regexp': '.*@example\\.com',
      'imagestreams.dev/verify-issuer': signer.issuer,
    });
    expect(tag?.conditions ?? []).toEqual([]);
    expect(tag?.items?.map((i) => i.image)).toEqual([image.digest]);
    const partial = await signedImport('partial', signer, {
      'imagestreams.dev/verify-identity-regexp': 'builder',
      'imagestreams.dev/verify-issuer': signer.issuer,
    });
    expect(partial.tag?.items ?? []).toEqual([]);
    expect(partial.tag?.conditions?.[0]?.reason).toBe('SignatureInvalid');
  });

  it('refuses a certificate from a Fulcio the trusted root does not name', async () => {
    const { tag } = await signedImport('foreign', signer, exactly(signer.subject, signer.issuer), { by: foreign });
    expect(tag?.items ?? []).toEqual([]);
    expect(tag?.conditions?.[0]?.reason).toBe('SignatureInvalid');
    expect(tag?.conditions?.[0]?.message).toContain('Failed to verify certificate chain');
  });
});

describe('keyless classic signatures (.sig tag with certificate, chain and Rekor bundle annotations)', () => {
  it('imports an image signed by the expected identity and issuer, and records the signer', async () => {
    const { image, tag } = await signedImport('classic', signer, exactly(signer.subject, signer.issuer), {
      classic: true,
    });
    expect(tag?.conditions ?? []).toEqual([]);
    expect(tag?.items?.map((i) => i.image)).toEqual([image.digest]);
    expect(tag?.items?.[0]?.signedBy).toBe('builder@example.com (https://issuer.example.com)');
  });

  it('refuses a signature by another identity', async () => {
    const { tag } = await signedImport(
      'classic-who',
      { ...signer, subject: 'intruder@example.com' },
      exactly(signer.subject, signer.issuer),
      { classic: true },
    );
    expect(tag?.items ?? []).toEqual([]);
    expect(tag?.conditions?.[0]?.reason).toBe('SignatureInvalid');
    expect(tag?.conditions?.[0]?.message).toContain('signed by identity "intruder@example.com"');
  });

  it('refuses a certificate from a Fulcio the trusted root does not name', async () => {
    const { tag } = await signedImport('classic-foreign', signer, exactly(signer.subject, signer.issuer), {
      classic: true,
      by: foreign,
    });
    expect(tag?.items ?? []).toEqual([]);
    expect(tag?.conditions?.[0]?.reason).toBe('SignatureInvalid');
    expect(tag?.conditions?.[0]?.message).toContain('Failed to verify certificate chain');
  });

  it('refuses a signature whose Rekor entry was altered (its signed timestamp no longer matches)', async () => {
    const later = (bundle: string) => {
      const parsed = JSON.parse(bundle) as { Payload: { integratedTime: number } };
      parsed.Payload.integratedTime += 1;
      return JSON.stringify(parsed);
    };
    const { tag } = await signedImport('classic-rekor-altered', signer, exactly(signer.subject, signer.issuer), {
      classic: true,
      rekor: later,
    });
    expect(tag?.items ?? []).toEqual([]);
    expect(tag?.conditions?.[0]?.reason).toBe('SignatureInvalid');
  });

  it('refuses a signature without its Rekor entry', async () => {
    const { tag } = await signedImport('classic-no-rekor', signer, exactly(signer.subject, signer.issuer), {
      classic: true,
      withoutRekor: true,
    });
    expect(tag?.items ?? []).toEqual([]);
    expect(tag?.conditions?.[0]?.reason).toBe('SignatureInvalid');
    expect(tag?.conditions?.[0]?.message).toContain('a keyless signature without a Rekor entry');
  });
});
