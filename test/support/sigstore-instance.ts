import { createHash, generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bundleToJSON } from '@sigstore/bundle';
import { fulcioHandler, initializeCA, initializeCTLog, initializeTLog, rekorHandler } from '@sigstore/mock';
import { DSSEBundleBuilder, FulcioSigner, MessageSignatureBundleBuilder, RekorWitness } from '@sigstore/sign';

/**
 * A private Sigstore for keyless tests: @sigstore/mock's Fulcio (with its CT log) and Rekor handlers served on
 * a loopback socket, @sigstore/sign signing through them with an unsigned OIDC token (the mock reads its
 * claims without checking a signature), and the trusted_root.json a verifier needs to trust them.
 */
export interface SigstoreInstance {
  /** A trusted_root.json document (protobuf-specs TrustedRoot, JSON form) naming this instance's keys. */
  trustedRoot: unknown;
  /** A v0.3 bundle: DSSE over `statement`, a Fulcio certificate for `identity`/`issuer`, a Rekor entry. */
  signStatement(statement: Buffer, identity: { subject: string; issuer: string }): Promise<Buffer>;
  /**
   * `payload` signed as `cosign sign` ≤ 2.x does keylessly: the base64 signature, the certificate and chain (PEM)
   * and the `dev.sigstore.cosign/bundle` annotation (the Rekor entry with its SET), for a classic `.sig` layer.
   */
  signClassic(
    payload: Buffer,
    identity: { subject: string; issuer: string },
  ): Promise<{ signature: string; certificate: string; chain: string; rekorBundle: string }>;
  stop(): Promise<void>;
}

type Handler = {
  path: string;
  fn: (body: string) => Promise<{ statusCode: number; response: unknown; contentType?: string }>;
};

export async function startSigstore(): Promise<SigstoreInstance> {
  const handlers: Handler[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', async () => {
      const handler = handlers.find((h) => request.method === 'POST' && request.url === h.path);
      if (!handler) {
        response.writeHead(404).end();
        return;
      }
      const result = await handler.fn(Buffer.concat(chunks).toString('utf8'));
      response.writeHead(result.statusCode, { 'content-type': result.contentType ?? 'text/plain' });
      response.end(typeof result.response === 'string' ? result.response : Buffer.from(result.response as Uint8Array));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const caKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ctKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const tlogKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ctLog = await initializeCTLog(ctKeys);
  const ca = await initializeCA(caKeys, ctLog);
  const tlog = await initializeTLog(url, tlogKeys);
  handlers.push(fulcioHandler(ca), rekorHandler(tlog));

  const start = new Date(Date.now() - 60_000).toISOString();
  const logKey = (der: Buffer) => ({
    baseUrl: url,
    hashAlgorithm: 'SHA2_256',
    publicKey: { rawBytes: der.toString('base64'), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start } },
    logId: { keyId: createHash('sha256').update(der).digest('base64') },
  });
  const trustedRoot = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [logKey(der(tlog.publicKey))],
    certificateAuthorities: [
      {
        subject: { organization: 'imagestreams-test', commonName: 'imagestreams-test' },
        uri: url,
        certChain: { certificates: [{ rawBytes: der(ca.rootCertificate).toString('base64') }] },
        validFor: { start },
      },
    ],
    ctlogs: [logKey(der(ctLog.publicKey))],
    timestampAuthorities: [],
  };

  const signer = (identity: { subject: string; issuer: string }) => {
    const token = unsignedJwt({ iss: identity.issuer, sub: identity.subject, aud: 'sigstore' });
    return new FulcioSigner({ fulcioBaseURL: url, identityProvider: { getToken: async () => token } });
  };
  return {
    trustedRoot,
    async signStatement(statement, identity) {
      const builder = new DSSEBundleBuilder({
        signer: signer(identity),
        // The mock Rekor logs the proposed entry as its body; real Rekor rewrites a proposed `dsse` entry (adds
        // the signatures and payload hash), so only an `intoto` entry logs in the form verifiers check.
        witnesses: [new RekorWitness({ rekorBaseURL: url, entryType: 'intoto' })],
      });
      const bundle = await builder.create({ data: statement, type: 'application/vnd.in-toto+json' });
      return Buffer.from(JSON.stringify(bundleToJSON(bundle)));
    },
    async signClassic(payload, identity) {
      const builder = new MessageSignatureBundleBuilder({
        signer: signer(identity),
        witnesses: [new RekorWitness({ rekorBaseURL: url })],
      });
      const bundle = bundleToJSON(await builder.create({ data: payload })) as unknown as SerializedBundle;
      const entry = bundle.verificationMaterial.tlogEntries[0];
      const leaf = bundle.verificationMaterial.x509CertificateChain.certificates[0]?.rawBytes;
      if (!entry?.inclusionPromise || !leaf)
        throw new Error('the mock Fulcio or Rekor returned no certificate or no entry with a SET');
      return {
        signature: bundle.messageSignature.signature,
        certificate: pem(leaf),
        chain: pem(der(ca.rootCertificate).toString('base64')),
        rekorBundle: JSON.stringify({
          SignedEntryTimestamp: entry.inclusionPromise.signedEntryTimestamp,
          Payload: {
            body: entry.canonicalizedBody,
            integratedTime: Number(entry.integratedTime),
            logIndex: Number(entry.logIndex),
            logID: Buffer.from(entry.logId.keyId, 'base64').toString('hex'),
          },
        }),
      };
    },
    stop: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

const der = (v: ArrayBufferView) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

const pem = (base64: string) =>
  `-----BEGIN CERTIFICATE-----\n${base64.replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;

/** The fields of a serialized v0.3 message-signature bundle read here. */
type SerializedBundle = {
  messageSignature: { signature: string };
  verificationMaterial: {
    // @sigstore/sign writes a message signature's certificate as a (one-element) chain.
    x509CertificateChain: { certificates: { rawBytes: string }[] };
    tlogEntries: {
      logIndex: string;
      logId: { keyId: string };
      integratedTime: string;
      inclusionPromise?: { signedEntryTimestamp: string };
      canonicalizedBody: string;
    }[];
  };
};

function unsignedJwt(claims: Record<string, string>): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}
