// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata API loaded first.
import 'reflect-metadata';
import { createPublicKey, webcrypto, X509Certificate } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  X509Certificate as ParsedCertificate,
  PemConverter,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  X509CertificateGenerator,
} from '@peculiar/x509';

/** The names local mode answers on; clients check the server certificate against them. */
export const localServerNames = { dns: ['localhost'], ips: ['127.0.0.1', '::1'] };

/** PEM texts of the local CA certificate and of the server's certificate and key, and which were issued now. */
export interface LocalCertificates {
  ca: string;
  cert: string;
  key: string;
  issued: { ca: boolean; server: boolean };
}

const day = 24 * 60 * 60 * 1000;
const caLifetime = 10 * 365 * day;
// Short enough for clients that cap server certificate lifetimes (398 days); renewed well before the end.
const serverLifetime = 365 * day;
const renewBefore = 30 * day;
const algorithm = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const signingAlgorithm = { name: 'ECDSA', hash: 'SHA-256' } as const;

/**
 * The local CA and a server certificate it signed, kept in `dataDir`: the CA is created once (so a
 * kubeconfig that trusts it keeps working across restarts), the server certificate whenever it is
 * missing, near its end, not signed by that CA, not valid for every local name or not matching its key.
 */
export async function ensureLocalCertificates(dataDir: string, now = new Date()): Promise<LocalCertificates> {
  const paths = {
    caCert: join(dataDir, 'ca.crt'),
    caKey: join(dataDir, 'ca.key'),
    cert: join(dataDir, 'server.crt'),
    key: join(dataDir, 'server.key'),
  };
  let ca = await readPair(paths.caCert, paths.caKey);
  const caIssued = !ca || !stillValid(new X509Certificate(ca.cert), now);
  if (caIssued) {
    ca = await issueCa(now);
    await writeSecret(paths.caKey, ca.key);
    await writeFile(paths.caCert, ca.cert);
  }
  const { cert: caCert, key: caKey } = ca as { cert: string; key: string };

  let server = await readPair(paths.cert, paths.key);
  const serverIssued = caIssued || !server || !fitsFor(server, new X509Certificate(caCert), now);
  if (serverIssued) {
    server = await issueServer(caCert, caKey, now);
    await writeSecret(paths.key, server.key);
    await writeFile(paths.cert, server.cert);
  }
  const { cert, key } = server as { cert: string; key: string };
  return { ca: caCert, cert, key, issued: { ca: caIssued, server: serverIssued } };
}

async function readPair(certPath: string, keyPath: string): Promise<{ cert: string; key: string } | undefined> {
  try {
    return { cert: await readFile(certPath, 'utf8'), key: await readFile(keyPath, 'utf8') };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function stillValid(cert: X509Certificate, now: Date): boolean {
  return new Date(cert.validTo).getTime() - now.getTime() > renewBefore && new Date(cert.validFrom) <= now;
}

function fitsFor(pair: { cert: string; key: string }, ca: X509Certificate, now: Date): boolean {
  const cert = new X509Certificate(pair.cert);
  return (
    cert.publicKey.equals(createPublicKey(pair.key)) &&
    stillValid(cert, now) &&
    cert.checkIssued(ca) &&
    cert.verify(ca.publicKey) &&
    localServerNames.dns.every((name) => cert.checkHost(name) === name) &&
    localServerNames.ips.every((ip) => cert.checkIP(ip) === ip)
  );
}

async function issueCa(now: Date): Promise<{ cert: string; key: string }> {
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const cert = await X509CertificateGenerator.createSelfSigned({
    name: `CN=imagestreams local CA ${now.toISOString().slice(0, 10)}`,
    keys,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + caLifetime),
    signingAlgorithm,
    extensions: [
      new BasicConstraintsExtension(true, 0, true),
      new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
      await SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem'), key: await pkcs8Pem(keys.privateKey) };
}

async function issueServer(caPem: string, caKeyPem: string, now: Date): Promise<{ cert: string; key: string }> {
  const ca = new ParsedCertificate(caPem);
  const caKey = await webcrypto.subtle.importKey('pkcs8', PemConverter.decodeFirst(caKeyPem), algorithm, false, [
    'sign',
  ]);
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const cert = await X509CertificateGenerator.create({
    subject: 'CN=localhost',
    issuer: ca.subjectName,
    publicKey: keys.publicKey,
    signingKey: caKey,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + serverLifetime),
    signingAlgorithm,
    extensions: [
      new BasicConstraintsExtension(false, undefined, true),
      new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true),
      new ExtendedKeyUsageExtension([ExtendedKeyUsage.serverAuth]),
      new SubjectAlternativeNameExtension([
        ...localServerNames.dns.map((value) => ({ type: 'dns' as const, value })),
        ...localServerNames.ips.map((value) => ({ type: 'ip' as const, value })),
      ]),
      await SubjectKeyIdentifierExtension.create(keys.publicKey),
      await AuthorityKeyIdentifierExtension.create(ca.publicKey),
    ],
  });
  return { cert: cert.toString('pem'), key: await pkcs8Pem(keys.privateKey) };
}

async function pkcs8Pem(key: webcrypto.CryptoKey): Promise<string> {
  return `${PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY')}\n`;
}

/** Writes a private key readable by its owner only, also when the file already existed with looser rights. */
async function writeSecret(path: string, text: string): Promise<void> {
  await writeFile(path, text, { mode: 0o600 });
  await chmod(path, 0o600);
}
