// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata API loaded first.
import 'reflect-metadata';
import { createPrivateKey, createPublicKey, webcrypto, X509Certificate } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KeyUsageFlags, KeyUsagesExtension, PemConverter, X509CertificateGenerator } from '@peculiar/x509';

/** Where the key that signs registry tokens is kept, and the certificate the registry trusts. */
export interface RegistryTokenKey {
  /** Key and certificate, PEM, in one file (mode 0600): what IMAGESTREAMS_REGISTRY_TOKEN_KEY names. */
  keyFile: string;
  /** The certificate alone: the registry's `auth.token.rootcertbundle`. */
  certFile: string;
}

const algorithm = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const lifetime = 10 * 365 * 24 * 60 * 60 * 1000;

/**
 * The local registry's token signing key and its self-signed certificate, created in `dataDir` on first
 * use and kept (a registry started earlier keeps trusting it). The certificate has no extended key usage:
 * the registry checks the token's `x5c` chain with Go's defaults, which would refuse one limited to others.
 */
export async function ensureRegistryTokenKey(dataDir: string, now = new Date()): Promise<RegistryTokenKey> {
  const paths = { keyFile: join(dataDir, 'registry-token.pem'), certFile: join(dataDir, 'registry-token.crt') };
  const existing = await readFile(paths.keyFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (existing && usable(existing, now)) {
    await writeFile(paths.certFile, certificateOf(existing));
    return paths;
  }
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const cert = await X509CertificateGenerator.createSelfSigned({
    name: 'CN=imagestreams registry token issuer',
    keys,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + lifetime),
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: [new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true)],
  });
  const keyPem = `${PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY')}\n`;
  const certPem = cert.toString('pem');
  await writeFile(paths.keyFile, `${keyPem}${certPem}\n`, { mode: 0o600 });
  await chmod(paths.keyFile, 0o600);
  await writeFile(paths.certFile, `${certPem}\n`);
  return paths;
}

/** The certificate PEM of a key file. */
export function certificateOf(pem: string): string {
  const match = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem);
  if (!match) throw new Error('the registry token key file holds no certificate');
  return `${match[0]}\n`;
}

function usable(pem: string, now: Date): boolean {
  try {
    const cert = new X509Certificate(certificateOf(pem));
    return cert.publicKey.equals(createPublicKey(createPrivateKey(pem))) && new Date(cert.validTo) > now;
  } catch {
    return false;
  }
}
