import { createHash, createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { type Bundle, bundleFromJSON, isBundleWithDsseEnvelope } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { type TrustMaterial, toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import type { SignatureEvidence, SignatureVerifier, TrustAnchor, VerifiedSignature } from '../../ports-signatures.ts';
import { SignatureRejectedError } from '../../signatures/signature-rejected-error.ts';

const bundleV01 = 'application/vnd.dev.sigstore.bundle+json;version=0.1';
const emptyRoot = {
  mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
  tlogs: [],
  certificateAuthorities: [],
  ctlogs: [],
  timestampAuthorities: [],
};

/**
 * Verifies cosign signatures with Sigstore's own libraries (@sigstore/verify, @sigstore/bundle): certificate
 * chains to the trusted root's Fulcio CAs, SCTs, Rekor SETs and inclusion proofs, signatures. A classic `.sig`
 * signature is handed to the library as the v0.1 bundle it is equivalent to (message signature over the
 * payload; the Rekor bundle annotation as a hashedrekord entry with its SET as inclusion promise).
 *
 * Keyed classic signatures are checked for the signature alone (as `cosign verify --key
 * --insecure-ignore-tlog` does): a key the tag names is the trust, and a private key holder need not use
 * the public Rekor. Ed25519 keys go through node:crypto's verify, because @sigstore/verify always passes a
 * hash algorithm, which pure Ed25519 does not take.
 */
export class SigstoreSignatureVerifier implements SignatureVerifier {
  private readonly root: TrustedRoot;
  private keyless: TrustMaterial | undefined;

  /** `trustedRoot`: a trusted_root.json document (public-good, or a private Sigstore's). */
  constructor(options: { trustedRoot: unknown }) {
    this.root = TrustedRoot.fromJSON(options.trustedRoot);
  }

  async verify(evidence: SignatureEvidence, anchor: TrustAnchor): Promise<VerifiedSignature> {
    const key = anchor.mode === 'key' ? publicKeyOf(anchor.publicKeyPem) : undefined;
    const hint = key && keyHint(key);
    let bundle: Bundle;
    let artifact: Buffer | undefined;
    try {
      if (evidence.format === 'bundle') {
        bundle = bundleFromJSON(JSON.parse(Buffer.from(evidence.bundle).toString('utf8')));
        if (!isBundleWithDsseEnvelope(bundle))
          throw new SignatureRejectedError('the bundle signs a message, not an in-toto statement naming the image');
      } else {
        artifact = Buffer.from(evidence.payload);
        if (key?.asymmetricKeyType === 'ed25519') {
          if (!cryptoVerify(null, artifact, key, Buffer.from(evidence.signature, 'base64')))
            throw new SignatureRejectedError('signature verification failed');
          return { keyId: hint, signed: evidence.payload, statement: false };
        }
        bundle = bundleFromJSON(classicBundle(evidence, artifact, hint));
      }
    } catch (error) {
      if (error instanceof SignatureRejectedError) throw error;
      throw new SignatureRejectedError(`malformed signature: ${(error as Error).message}`);
    }
    const keyed = key !== undefined && hint !== undefined;
    const trust = keyed
      ? toTrustMaterial(evidence.format === 'bundle' ? this.root : TrustedRoot.fromJSON(emptyRoot), (h) => {
          if (h !== hint && h !== '') throw new SignatureRejectedError(`signed with another key (hint ${h})`);
          return { publicKey: key, validFor: () => true };
        })
      : this.keylessTrust();
    if (keyed && bundle.verificationMaterial.content.$case !== 'publicKey')
      throw new SignatureRejectedError('signed with a certificate, not with the key the tag names');
    if (!keyed && bundle.verificationMaterial.content.$case === 'publicKey')
      throw new SignatureRejectedError('signed with a public key, not a Fulcio certificate');
    // The certificate lives minutes; only the log's time shows it was valid when signing. The library would say
    // "expected 1 timestamps, got 0", which does not tell a user the Rekor bundle is what is missing.
    if (!keyed && bundle.verificationMaterial.tlogEntries.length === 0)
      throw new SignatureRejectedError(
        'a keyless signature without a Rekor entry (no dev.sigstore.cosign/bundle annotation or bundle tlog entry)',
      );
    const verifier = keyed
      ? new Verifier(trust, { tlogThreshold: 0, timestampThreshold: 0, ctlogThreshold: 0 })
      : new Verifier(trust);
    try {
      const signer = verifier.verify(toSignedEntity(bundle, artifact));
      const signed =
        bundle.content.$case === 'dsseEnvelope' ? bundle.content.dsseEnvelope.payload : (artifact as Buffer);
      return {
        ...(hint ? { keyId: hint } : {}),
        ...(signer.identity?.subjectAlternativeName ? { identity: signer.identity.subjectAlternativeName } : {}),
        ...(signer.identity?.extensions?.issuer ? { issuer: signer.identity.extensions.issuer } : {}),
        signed,
        statement: bundle.content.$case === 'dsseEnvelope',
      };
    } catch (error) {
      if (error instanceof SignatureRejectedError) throw error;
      throw new SignatureRejectedError((error as Error).message);
    }
  }

  private keylessTrust(): TrustMaterial {
    this.keyless ??= toTrustMaterial(this.root);
    return this.keyless;
  }
}

function publicKeyOf(pem: string): KeyObject {
  // createPublicKey would also derive a public key from a private one; a Secret holding a private key is refused.
  if (!/-----BEGIN PUBLIC KEY-----/.test(pem)) throw new SignatureRejectedError('cosign.pub is not a PEM public key');
  try {
    return createPublicKey(pem);
  } catch (error) {
    throw new SignatureRejectedError(`cosign.pub is not a usable public key: ${(error as Error).message}`);
  }
}

/** cosign's key hint: base64 SHA-256 of the PKIX DER public key. */
function keyHint(key: KeyObject): string {
  return createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('base64');
}

/** A classic signature as the equivalent v0.1 bundle (JSON form), for @sigstore/bundle to validate. */
function classicBundle(
  evidence: Extract<SignatureEvidence, { format: 'simple-signing' }>,
  payload: Buffer,
  hint: string | undefined,
): unknown {
  const digest = createHash('sha256').update(payload).digest('base64');
  const material = hint
    ? { publicKey: { hint } }
    : {
        x509CertificateChain: {
          certificates: [evidence.certificate, ...pemBlocks(evidence.chain ?? '')].map((pem) => {
            if (!pem) throw new SignatureRejectedError('a keyless signature without a certificate');
            return { rawBytes: derOf(pem) };
          }),
        },
      };
  return {
    mediaType: bundleV01,
    verificationMaterial: {
      ...material,
      tlogEntries: hint || !evidence.rekorBundle ? [] : [rekorEntry(evidence.rekorBundle)],
      timestampVerificationData: { rfc3161Timestamps: [] },
    },
    messageSignature: { messageDigest: { algorithm: 'SHA2_256', digest }, signature: evidence.signature },
  };
}

/** The `dev.sigstore.cosign/bundle` annotation as a bundle tlog entry: the SET is the inclusion promise. */
function rekorEntry(annotation: string): unknown {
  const parsed = JSON.parse(annotation) as {
    SignedEntryTimestamp?: string;
    Payload?: { body?: string; integratedTime?: number; logIndex?: number; logID?: string };
  };
  const p = parsed.Payload ?? {};
  if (!parsed.SignedEntryTimestamp || !p.body || !p.logID || p.integratedTime === undefined || p.logIndex === undefined)
    throw new SignatureRejectedError('the Rekor bundle annotation lacks its SET, body, time, index or log ID');
  const body = JSON.parse(Buffer.from(p.body, 'base64').toString('utf8')) as { kind?: string; apiVersion?: string };
  return {
    logIndex: String(p.logIndex),
    logId: { keyId: Buffer.from(p.logID, 'hex').toString('base64') },
    kindVersion: { kind: body.kind ?? '', version: body.apiVersion ?? '' },
    integratedTime: String(p.integratedTime),
    inclusionPromise: { signedEntryTimestamp: parsed.SignedEntryTimestamp },
    canonicalizedBody: p.body,
  };
}

function pemBlocks(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

function derOf(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}
