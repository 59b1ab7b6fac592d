import { createHash, generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bundleToJSON } from '@sigstore/bundle';
import { fulcioHandler, initializeCA, initializeCTLog, initializeTLog, rekorHandler } from '@sigstore/mock';
import { DSSEBundleBuilder, FulcioSigner, RekorWitness } from '@sigstore/sign';

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
  stop(): Promise<void>;
}

type Handler = { path: string; fn: (body: string) => Promise<{ statusCode: number; response: unknown; contentType?: string }> };

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

  return {
    trustedRoot,
    async signStatement(statement, identity) {
      const token = unsignedJwt({ iss: identity.issuer, sub: identity.subject, aud: 'sigstore' });
      const builder = new DSSEBundleBuilder({
        signer: new FulcioSigner({ fulcioBaseURL: url, identityProvider: { getToken: async () => token } }),
        witnesses: [new RekorWitness({ rekorBaseURL: url, entryType: 'intoto' })],
      });
      const bundle = await builder.create({ data: statement, type: 'application/vnd.in-toto+json' });
      return Buffer.from(JSON.stringify(bundleToJSON(bundle)));
    },
    stop: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

const der = (v: ArrayBufferView) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

function unsignedJwt(claims: Record<string, string>): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}
