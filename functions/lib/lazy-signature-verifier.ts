import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type {
  SignatureEvidence,
  SignatureVerifier,
  TrustAnchor,
  VerifiedSignature,
} from '../../core/ports-signatures.ts';

/**
 * Loads Sigstore's libraries and the trusted root on the first signature to verify: most functions never
 * verify one. The root is the file `trustedRootPath` names (private Sigstore, air-gapped) or else the
 * public-good trusted_root.json embedded in @sigstore/tuf's seed — read from the package, never fetched
 * over TUF at run time, so a deployment updates it with its dependencies or through the setting.
 */
export class LazySignatureVerifier implements SignatureVerifier {
  private readonly trustedRootPath: string | undefined;
  private verifier: Promise<SignatureVerifier> | undefined;

  constructor(trustedRootPath: string | undefined) {
    this.trustedRootPath = trustedRootPath;
  }

  async verify(evidence: SignatureEvidence, anchor: TrustAnchor): Promise<VerifiedSignature> {
    return (await this.load()).verify(evidence, anchor);
  }

  private load(): Promise<SignatureVerifier> {
    this.verifier ??= (async () => {
      const { SigstoreSignatureVerifier } = await import('../../core/adapters/sigstore/sigstore-signature-verifier.ts');
      return new SigstoreSignatureVerifier({ trustedRoot: await readTrustedRoot(this.trustedRootPath) });
    })();
    this.verifier.catch(() => {
      this.verifier = undefined;
    });
    return this.verifier;
  }
}

const publicGoodMirror = 'https://tuf-repo-cdn.sigstore.dev';

async function readTrustedRoot(path: string | undefined): Promise<unknown> {
  if (path) return JSON.parse(await readFile(path, 'utf8'));
  const seeds = JSON.parse(
    await readFile(createRequire(import.meta.url).resolve('@sigstore/tuf/seeds.json'), 'utf8'),
  ) as Record<string, { targets: Record<string, string> }>;
  const encoded = seeds[publicGoodMirror]?.targets['trusted_root.json'];
  if (!encoded) throw new Error('@sigstore/tuf carries no public-good trusted_root.json');
  return JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
}
