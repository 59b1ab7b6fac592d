// Ports of image signature verification (issue 16): the cryptography behind one, the cache of verdicts behind the other.

/** One signature as found in the registry, with what the verifier needs. */
export type SignatureEvidence =
  | {
      /** cosign's classic `.sig` layer: a signature over the simple-signing payload bytes. */
      format: 'simple-signing';
      payload: Uint8Array;
      /** Base64, from the `dev.cosignproject.cosign/signature` annotation. */
      signature: string;
      certificate?: string | undefined;
      chain?: string | undefined;
      /** The Rekor bundle annotation (SET, body, integrated time). */
      rekorBundle?: string | undefined;
    }
  | { /** A Sigstore bundle (v0.1–v0.3) attached as an OCI referrer. */ format: 'bundle'; bundle: Uint8Array };

/** What a signature must chain to: the tag's public key, or the deployment's trusted root (Fulcio, Rekor, CT logs). */
export type TrustAnchor = { mode: 'key'; publicKeyPem: string } | { mode: 'keyless' };

export interface VerifiedSignature {
  /** Keyed: base64 SHA-256 of the public key's PKIX DER (cosign's key hint). */
  keyId?: string;
  /** Keyless: the certificate's subject alternative name and OIDC issuer. */
  identity?: string;
  issuer?: string;
  /** The signed document (simple-signing payload or in-toto statement), whose image claim the caller checks. */
  signed: Uint8Array;
  /** A DSSE statement rather than a simple-signing payload. */
  statement: boolean;
}

/** Cryptographic verification; throws SignatureRejectedError saying why a signature does not verify. */
export interface SignatureVerifier {
  verify(evidence: SignatureEvidence, anchor: TrustAnchor): Promise<VerifiedSignature>;
}

/** A digest that verified under a policy, and who signed it. */
export interface VerificationRecord {
  digest: string;
  /** The policy and key material it verified under, as one string (a changed key or identity misses). */
  policy: string;
  signedBy: string;
  verifiedAt: string;
}

/** Verdicts per digest and policy, so a digest verifies once. Only successes are kept: a signature may be added later. */
export interface VerificationStore {
  getVerification(digest: string, policy: string): Promise<VerificationRecord | undefined>;
  putVerification(record: VerificationRecord): Promise<void>;
}
