import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** The path a receiver answers on: `/hooks/<token>`. */
export const hooksPrefix = '/hooks/';

/**
 * A receiver's webhook token, as Flux derives its receiver paths from a secret plus the receiver's
 * identity: HMAC-SHA256 keyed with the shared secret over namespace, name and uid (256 bits, hex). A
 * recreated receiver (new uid) or a new secret gets a new path.
 */
export function deriveWebhookToken(secret: string, identity: { namespace: string; name: string; uid: string }): string {
  return createHmac('sha256', secret).update(`${identity.namespace}/${identity.name}/${identity.uid}`).digest('hex');
}

/** What the token is looked up by: its SHA-256, so the store never holds a usable token in its keys. */
export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Compares two strings in time that depends on neither their content nor their lengths. */
export function sameSecret(a: string, b: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(a), digest(b)) && a.length === b.length;
}
