import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidContinueTokenError } from './errors.ts';

export interface ContinueTokens {
  /** A token that resumes the list named `scope` after `position` (e.g. the last key returned). */
  encode(scope: string, position: string): string;
  /** The position in `token`; throws InvalidContinueTokenError unless this server issued it for `scope`. */
  decode(scope: string, token: string): string;
}

const version = 1;
const base64url = /^[A-Za-z0-9_-]+$/;

/**
 * Continue tokens for paged lists: `base64url(payload).base64url(HMAC-SHA256(payload))`, so a client can hold
 * one but not forge, alter or reuse it for another list. `scope` names the list (resource, namespace,
 * selectors): a token from another list is refused. Positions in our store do not expire (there is no
 * compaction), so neither do tokens; a rotated key invalidates them all (400, and the client relists).
 */
export function continueTokens(key: Uint8Array): ContinueTokens {
  if (key.byteLength < 32) throw new Error('the continue-token key must have at least 32 bytes');
  const sign = (payload: string) => createHmac('sha256', key).update(payload).digest();
  return {
    encode(scope, position) {
      const payload = Buffer.from(JSON.stringify({ v: version, s: scope, p: position })).toString('base64url');
      return `${payload}.${sign(payload).toString('base64url')}`;
    },
    decode(scope, token) {
      const [payload, mac, extra] = token.split('.');
      if (!payload || !mac || extra !== undefined || !base64url.test(payload) || !base64url.test(mac))
        throw new InvalidContinueTokenError('malformed');
      const expected = sign(payload);
      const given = Buffer.from(mac, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected))
        throw new InvalidContinueTokenError('not issued by this server');
      let content: unknown;
      try {
        content = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        throw new InvalidContinueTokenError('malformed');
      }
      const { v, s, p } = (content ?? {}) as { v?: unknown; s?: unknown; p?: unknown };
      if (v !== version || typeof p !== 'string') throw new InvalidContinueTokenError('unsupported version');
      if (s !== scope) throw new InvalidContinueTokenError('issued for another list');
      return p;
    },
  };
}
