import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SecretCipher } from '../../ports.ts';

/** AES-256-GCM with a random IV; `context` is authenticated data, so a ciphertext cannot be moved to another record. */
export function sealWith(key: Buffer, plaintext: string, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), body].map((p) => p.toString('base64')).join('.');
}

export function openWith(key: Buffer, sealed: string, context: string): string {
  const [iv, tag, body] = sealed.split('.');
  if (!iv || !tag || body === undefined) throw new Error('unreadable sealed secret');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64')).setAAD(Buffer.from(context));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
}

/** Secrets sealed with one configured key (local mode: a key file in the data folder). */
export class AesGcmCipher implements SecretCipher {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('the credentials key must be 32 bytes');
    this.key = key;
  }

  async seal(plaintext: string, context: string): Promise<string> {
    return `v1.${sealWith(this.key, plaintext, context)}`;
  }

  async open(sealed: string, context: string): Promise<string> {
    if (!sealed.startsWith('v1.')) throw new Error('unreadable sealed secret');
    return openWith(this.key, sealed.slice(3), context);
  }
}
