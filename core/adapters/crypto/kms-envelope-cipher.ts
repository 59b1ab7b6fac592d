import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { isThrottlingError, isTransientError } from '@smithy/core/retry';
import { DependencyUnavailableError } from '../../errors.ts';
import type { SecretCipher } from '../../ports.ts';
import { openWith, sealWith } from './aes-gcm-cipher.ts';

const encryptionContext = { service: 'imagestreams', purpose: 'credentials' };

/**
 * Envelope encryption with AWS KMS: one data key per cold start seals new secrets (AES-256-GCM), and
 * travels with each of them encrypted under the KMS key; opening asks KMS once per data key.
 */
export class KmsEnvelopeCipher implements SecretCipher {
  private readonly kms: KMSClient;
  private readonly keyId: string;
  private dataKey: Promise<{ plaintext: Buffer; encrypted: string }> | undefined;
  private readonly opened = new Map<string, Promise<Buffer>>();

  constructor(kms: KMSClient, keyId: string) {
    this.kms = kms;
    this.keyId = keyId;
  }

  async seal(plaintext: string, context: string): Promise<string> {
    const pending = (this.dataKey ??= this.generate());
    // A failed GenerateDataKey must not stick: the next seal asks KMS again.
    pending.catch(() => {
      if (this.dataKey === pending) this.dataKey = undefined;
    });
    const key = await pending;
    return `kms1.${key.encrypted}.${sealWith(key.plaintext, plaintext, context)}`;
  }

  async open(sealed: string, context: string): Promise<string> {
    const [version, encrypted, ...rest] = sealed.split('.');
    if (version !== 'kms1' || !encrypted) throw new Error('unreadable sealed secret');
    let key = this.opened.get(encrypted);
    if (!key) {
      key = this.decrypt(encrypted);
      this.opened.set(encrypted, key);
      key.catch(() => this.opened.delete(encrypted));
    }
    return openWith(await key, rest.join('.'), context);
  }

  private async generate(): Promise<{ plaintext: Buffer; encrypted: string }> {
    const result = await this.call(() =>
      this.kms.send(
        new GenerateDataKeyCommand({ KeyId: this.keyId, KeySpec: 'AES_256', EncryptionContext: encryptionContext }),
      ),
    );
    if (!result.Plaintext || !result.CiphertextBlob) throw new Error('KMS returned no data key');
    const encrypted = Buffer.from(result.CiphertextBlob).toString('base64');
    this.opened.set(encrypted, Promise.resolve(Buffer.from(result.Plaintext)));
    return { plaintext: Buffer.from(result.Plaintext), encrypted };
  }

  private async decrypt(encrypted: string): Promise<Buffer> {
    const result = await this.call(() =>
      this.kms.send(
        new DecryptCommand({
          CiphertextBlob: Buffer.from(encrypted, 'base64'),
          EncryptionContext: encryptionContext,
          KeyId: this.keyId,
        }),
      ),
    );
    if (!result.Plaintext) throw new Error('KMS returned no plaintext');
    return Buffer.from(result.Plaintext);
  }

  /** A throttle, 5xx or network failure from KMS becomes a 503 the caller may retry; anything else stays as it is. */
  private async call<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      // The SDK's own classification: the same errors its retry strategy would retry.
      const sdkError = error as Parameters<typeof isTransientError>[0];
      if (error instanceof Error && (isThrottlingError(sdkError) || isTransientError(sdkError)))
        throw new DependencyUnavailableError(
          'secrets.kms_unavailable',
          `KMS is unavailable (${error.name}): secrets cannot be sealed or opened now; try again`,
          { cause: error },
        );
      throw error;
    }
  }
}
