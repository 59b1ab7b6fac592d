import { createHmac } from 'node:crypto';
import type { ReceiverType } from './types.ts';
import { sameSecret } from './webhook-token.ts';

/** Lower-cased request headers. */
export type Headers = Readonly<Record<string, string | undefined>>;

/**
 * Whether a delivery carries the receiver's shared secret the way its registry sends it. Every call does
 * the same work whatever the outcome (an HMAC of the body, then constant-time comparisons), so that a bad
 * signature takes as long to refuse as a good one to accept.
 * - github: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>`
 * - generic-hmac: `X-Signature: sha1|sha256|sha512=<hex HMAC(secret, body)>` (as Flux's generic-hmac)
 * - gitlab: `X-Gitlab-Token: <secret>`; artifactory: `X-JFrog-Event-Auth: <secret>`
 * - harbor: `Authorization: <secret>` (its auth_header, sent verbatim); acr, distribution: `Authorization: Bearer <secret>`
 * - dockerhub, quay: nothing to check (they cannot send a secret): the unguessable path is all there is.
 */
export function verifyDelivery(type: ReceiverType, headers: Headers, body: Buffer, secret: string): boolean {
  const sha256 = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  const authorization = headers.authorization ?? '';
  switch (type) {
    case 'github':
      return sameSecret(headers['x-hub-signature-256'] ?? '', sha256);
    case 'generic-hmac': {
      const [algorithm = '', signature = ''] = (headers['x-signature'] ?? '').split('=', 2);
      if (algorithm === 'sha256') return sameSecret(`sha256=${signature}`, sha256);
      const known = algorithm === 'sha1' || algorithm === 'sha512';
      const expected = createHmac(known ? algorithm : 'sha256', secret)
        .update(body)
        .digest('hex');
      return sameSecret(signature, expected) && known;
    }
    case 'gitlab':
      return sameSecret(headers['x-gitlab-token'] ?? '', secret);
    case 'artifactory':
      return sameSecret(headers['x-jfrog-event-auth'] ?? '', secret);
    case 'harbor':
      return sameSecret(authorization, secret) || sameSecret(authorization, `Bearer ${secret}`);
    case 'acr':
    case 'distribution':
      return sameSecret(authorization, `Bearer ${secret}`);
    case 'dockerhub':
    case 'quay':
      return sameSecret(sha256, sha256);
  }
}
