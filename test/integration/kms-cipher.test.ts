import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AesGcmCipher } from '../../core/adapters/crypto/aes-gcm-cipher.ts';
import { KmsEnvelopeCipher } from '../../core/adapters/crypto/kms-envelope-cipher.ts';

let server: Server;
let client: KMSClient;
const calls: string[] = [];
const master = randomBytes(32);
/** Operations the endpoint answers once with KMS's throttling error before serving them again. */
const throttleOnce = new Set<string>();

/** A loopback endpoint speaking KMS's JSON protocol for GenerateDataKey and Decrypt, wrapping data keys under one master key. */
beforeAll(async () => {
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      CiphertextBlob?: string;
      EncryptionContext?: Record<string, string>;
    };
    const operation = String(req.headers['x-amz-target']).split('.')[1] ?? '';
    calls.push(operation);
    const aad = Buffer.from(JSON.stringify(input.EncryptionContext ?? {}));
    const send = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(body));
    if (throttleOnce.delete(operation)) return send(400, { __type: 'ThrottlingException', message: 'Rate exceeded' });
    if (operation === 'GenerateDataKey') {
      const key = randomBytes(32);
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', master, iv).setAAD(aad);
      const wrapped = Buffer.concat([iv, cipher.update(key), cipher.final(), cipher.getAuthTag()]);
      return send(200, {
        KeyId: 'arn:aws:kms:eu-west-1:123456789012:key/test',
        Plaintext: key.toString('base64'),
        CiphertextBlob: wrapped.toString('base64'),
      });
    }
    if (operation === 'Decrypt') {
      try {
        const blob = Buffer.from(input.CiphertextBlob ?? '', 'base64');
        const decipher = createDecipheriv('aes-256-gcm', master, blob.subarray(0, 12)).setAAD(aad);
        decipher.setAuthTag(blob.subarray(blob.length - 16));
        const key = Buffer.concat([decipher.update(blob.subarray(12, blob.length - 16)), decipher.final()]);
        return send(200, { KeyId: 'arn:aws:kms:eu-west-1:123456789012:key/test', Plaintext: key.toString('base64') });
      } catch {
        return send(400, { __type: 'InvalidCiphertextException', message: 'invalid ciphertext' });
      }
    }
    return send(400, { __type: 'UnknownOperationException' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = new KMSClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client.destroy();
  await new Promise((resolve) => server.close(resolve));
});

describe('KmsEnvelopeCipher', () => {
  it('seals with one data key per cold start and opens with one Decrypt per data key', async () => {
    const writer = new KmsEnvelopeCipher(client, 'alias/imagestreams');
    const sealed = await Promise.all(['a', 'b', 'c'].map((s) => writer.seal(`secret-${s}`, `ns/${s}`)));
    expect(calls.filter((c) => c === 'GenerateDataKey')).toHaveLength(1);
    for (const s of sealed) expect(s).not.toContain('secret-');

    const reader = new KmsEnvelopeCipher(client, 'alias/imagestreams'); // another instance, after its own cold start
    expect(await Promise.all(sealed.map((s, i) => reader.open(s, `ns/${['a', 'b', 'c'][i]}`)))).toEqual([
      'secret-a',
      'secret-b',
      'secret-c',
    ]);
    expect(calls.filter((c) => c === 'Decrypt')).toHaveLength(1);
  });

  it('answers a throttled KMS call with a retryable error and asks KMS again on the next use', async () => {
    const cipher = new KmsEnvelopeCipher(client, 'alias/imagestreams');
    throttleOnce.add('GenerateDataKey');
    await expect(cipher.seal('secret', 'team-a/pull')).rejects.toMatchObject({
      code: 'secrets.kms_unavailable',
      reason: 'ServiceUnavailable',
      message: expect.stringMatching(/ThrottlingException.*try again/),
    });
    const sealed = await cipher.seal('secret', 'team-a/pull');

    const reader = new KmsEnvelopeCipher(client, 'alias/imagestreams');
    throttleOnce.add('Decrypt');
    await expect(reader.open(sealed, 'team-a/pull')).rejects.toMatchObject({ code: 'secrets.kms_unavailable' });
    expect(await reader.open(sealed, 'team-a/pull')).toBe('secret');
  });

  it('refuses a secret moved to another record, or tampered with', async () => {
    const cipher = new KmsEnvelopeCipher(client, 'alias/imagestreams');
    const sealed = await cipher.seal('secret', 'team-a/pull');
    await expect(cipher.open(sealed, 'team-b/pull')).rejects.toThrow();
    const parts = sealed.split('.');
    parts[4] = Buffer.from('tampered').toString('base64');
    await expect(cipher.open(parts.join('.'), 'team-a/pull')).rejects.toThrow();
    parts[1] = Buffer.from('not a data key').toString('base64');
    await expect(
      new KmsEnvelopeCipher(client, 'alias/imagestreams').open(parts.join('.'), 'team-a/pull'),
    ).rejects.toThrow();
  });
});

describe('AesGcmCipher', () => {
  it('round-trips, binds the context and refuses another key', async () => {
    const key = randomBytes(32);
    const sealed = await new AesGcmCipher(key).seal('secret', 'team-a/pull');
    expect(await new AesGcmCipher(key).open(sealed, 'team-a/pull')).toBe('secret');
    await expect(new AesGcmCipher(key).open(sealed, 'team-a/other')).rejects.toThrow();
    await expect(new AesGcmCipher(randomBytes(32)).open(sealed, 'team-a/pull')).rejects.toThrow();
    expect(() => new AesGcmCipher(randomBytes(16))).toThrow(/32 bytes/);
  });
});
