import { ImportFailure } from '../importing/import-failure.ts';
import type { RegistryAccess, RegistryClient, RegistryRepository } from '../ports-registry.ts';
import type { SignatureEvidence, SignatureVerifier, TrustAnchor, VerificationStore } from '../ports-signatures.ts';
import { repositoryLabel } from '../references/registry-reference.ts';
import {
  type BlobRef,
  bundleLayer,
  bundleReferrers,
  checkSimpleSigningClaim,
  checkStatementSubject,
  maxBundleBytes,
  maxPayloadBytes,
  parseSignatureManifest,
  signatureTag,
} from '../signatures/cosign-layout.ts';
import { SignatureRejectedError } from '../signatures/signature-rejected-error.ts';
import { describeMatcher, matches, type VerifyPolicy } from '../signatures/verify-policy.ts';

/** A tag's signature policy with its key material read (the import service opens the key Secret). */
export type SignaturePolicy =
  | { mode: 'key'; secret: string; publicKeyPem: string }
  | Extract<VerifyPolicy, { mode: 'keyless' }>;

export interface SignatureGateOptions {
  registry: RegistryClient;
  verifier: SignatureVerifier;
  verdicts: VerificationStore;
  now: () => string;
}

/**
 * Only signed digests pass (issue 16). Looks for cosign signatures of a digest — the classic
 * `sha256-<hex>.sig` tag first (what cosign ≤ 2.x writes, and the cheaper look-up), then Sigstore bundles
 * among the OCI 1.1 referrers — verifies them, and answers who signed. Any one signature that verifies and
 * satisfies the policy is enough, as with cosign. A success is kept per digest and policy, so a digest
 * verifies once; failures are not kept, as a signature may be pushed after its image.
 */
export class SignatureGate {
  private readonly options: SignatureGateOptions;

  constructor(options: SignatureGateOptions) {
    this.options = options;
  }

  /** Who signed `digest`; ImportFailure SignatureMissing or SignatureInvalid when no signature satisfies `policy`. */
  async check(
    repo: RegistryRepository,
    digest: string,
    policy: SignaturePolicy,
    access: RegistryAccess,
  ): Promise<string> {
    const key = policyKey(policy);
    const cached = await this.options.verdicts.getVerification(digest, key);
    if (cached) return cached.signedBy;
    const found: string[] = [];
    const signedBy =
      (await this.classic(repo, digest, policy, access, found)) ??
      (await this.bundles(repo, digest, policy, access, found));
    const where = `${repositoryLabel(repo)}@${digest}`;
    if (signedBy === undefined && found.length === 0)
      throw new ImportFailure(
        'SignatureMissing',
        `${where} has no signature (looked for tag ${signatureTag(digest)} and OCI referrers); expected ${expected(policy)}`,
        // cosign signs after the push: a later try may find it.
        { transient: true },
      );
    if (signedBy === undefined)
      throw new ImportFailure(
        'SignatureInvalid',
        `no signature of ${where} satisfies the policy: expected ${expected(policy)}; found ${found.length} signature(s): ${found.slice(0, 3).join('; ')}`,
        { transient: false },
      );
    await this.options.verdicts.putVerification({ digest, policy: key, signedBy, verifiedAt: this.options.now() });
    return signedBy;
  }

  private async classic(
    repo: RegistryRepository,
    digest: string,
    policy: SignaturePolicy,
    access: RegistryAccess,
    found: string[],
  ): Promise<string | undefined> {
    const manifest = await this.options.registry.getTaggedManifest(repo, signatureTag(digest), access);
    if (!manifest) return undefined;
    const layers = parseSignatureManifest(manifest.body);
    if (typeof layers === 'string') {
      found.push(layers);
      return undefined;
    }
    for (const layer of layers) {
      const payload = await this.blob(repo, layer, maxPayloadBytes, access, found);
      if (!payload) continue;
      const evidence: SignatureEvidence = {
        format: 'simple-signing',
        payload,
        signature: layer.signature,
        certificate: layer.certificate,
        chain: layer.chain,
        rekorBundle: layer.rekorBundle,
      };
      const signer = await this.verify(evidence, digest, policy, found);
      if (signer) return signer;
    }
    return undefined;
  }

  private async bundles(
    repo: RegistryRepository,
    digest: string,
    policy: SignaturePolicy,
    access: RegistryAccess,
    found: string[],
  ): Promise<string | undefined> {
    const index = await this.options.registry.getReferrers(repo, digest, access);
    if (!index) return undefined;
    for (const ref of bundleReferrers(index.body)) {
      const manifest = await this.options.registry.getManifest(repo, ref.digest, access).catch((error: unknown) => {
        if (!(error instanceof ImportFailure) || error.transient) throw error;
        found.push(error.message);
        return undefined;
      });
      if (!manifest) continue;
      const layer = bundleLayer(manifest.body, digest);
      if (typeof layer === 'string') {
        found.push(layer);
        continue;
      }
      const bundle = await this.blob(repo, layer, maxBundleBytes, access, found);
      if (!bundle) continue;
      const signer = await this.verify({ format: 'bundle', bundle }, digest, policy, found);
      if (signer) return signer;
    }
    return undefined;
  }

  private async blob(
    repo: RegistryRepository,
    ref: BlobRef,
    limit: number,
    access: RegistryAccess,
    found: string[],
  ): Promise<Uint8Array | undefined> {
    if (ref.size > limit) {
      found.push(`a signature blob of ${ref.size} bytes, more than the ${limit} read`);
      return undefined;
    }
    try {
      return await this.options.registry.getBlob(repo, ref.digest, access);
    } catch (error) {
      // A missing or tampered signature blob is a bad signature, not a failed import of the image.
      if (!(error instanceof ImportFailure) || error.transient) throw error;
      found.push(error.message);
      return undefined;
    }
  }

  /** The signer's description when `evidence` verifies, names `digest` and satisfies `policy`; else notes why not. */
  private async verify(
    evidence: SignatureEvidence,
    digest: string,
    policy: SignaturePolicy,
    found: string[],
  ): Promise<string | undefined> {
    const anchor: TrustAnchor =
      policy.mode === 'key' ? { mode: 'key', publicKeyPem: policy.publicKeyPem } : { mode: 'keyless' };
    let verified: Awaited<ReturnType<SignatureVerifier['verify']>>;
    try {
      verified = await this.options.verifier.verify(evidence, anchor);
    } catch (error) {
      if (!(error instanceof SignatureRejectedError)) throw error;
      found.push(error.message);
      return undefined;
    }
    const claim = verified.statement
      ? checkStatementSubject(verified.signed, digest)
      : checkSimpleSigningClaim(verified.signed, digest);
    if (claim) {
      found.push(claim);
      return undefined;
    }
    if (policy.mode === 'key') return `key secret/${policy.secret} (SHA256:${verified.keyId ?? '?'})`;
    const who = `identity "${verified.identity ?? ''}" from issuer "${verified.issuer ?? ''}"`;
    if (!matches(policy.identity, verified.identity) || !matches(policy.issuer, verified.issuer)) {
      found.push(`signed by ${who}`);
      return undefined;
    }
    return `${verified.identity} (${verified.issuer})`;
  }
}

function expected(policy: SignaturePolicy): string {
  return policy.mode === 'key'
    ? `a signature by the key in secret/${policy.secret}`
    : `a keyless signature by identity ${describeMatcher(policy.identity)} from issuer ${describeMatcher(policy.issuer)}`;
}

/** The policy and its key material in one string: the cache hits only for exactly the same trust. */
function policyKey(policy: SignaturePolicy): string {
  return policy.mode === 'key'
    ? JSON.stringify(['key', policy.publicKeyPem.trim()])
    : JSON.stringify(['keyless', policy.identity, policy.issuer]);
}
