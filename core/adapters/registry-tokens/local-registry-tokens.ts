import {
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  randomUUID,
  sign,
  verify,
  X509Certificate,
} from 'node:crypto';
import type { Clock } from '../../ports.ts';
import type { OpenedLogin, RegistryLogins, RegistryTokenRealm } from '../../ports-registry.ts';
import type { ResourceActions } from '../../registry-tokens/registry-scope.ts';
import {
  type RegistryGrant,
  type RegistryLogin,
  registryTokenAccess,
} from '../../registry-tokens/registry-token-schema.ts';

export interface LocalRegistryTokensOptions {
  /** PEM of the EC P-256 key that signs, followed by its self-signed certificate (the registry's rootcertbundle). */
  pem: string;
  /** The registry's `auth.token.issuer` and `auth.token.service`. */
  issuer: string;
  service: string;
  /** How long a password from registrytokens stays valid. */
  loginSeconds: number;
  clock: Clock;
}

/** The registry's `auth.token.issuer` and `auth.token.service` in local mode (functions/local writes its config). */
export const localRegistryTokenNames = { issuer: 'imagestreams', service: 'imagestreams-registry' } as const;

/** The audience of login passwords: never the registry's, so a password is not a bearer token it accepts. */
const loginAudience = 'imagestreams-registry-login';
/** Bearer tokens live briefly: clients fetch a new one per operation, and a revoked role binding bites soon. */
const bearerSeconds = 300;
const serviceSubject = 'system:imagestreams';

type LoginClaims = {
  iss: string;
  aud: string;
  sub: string;
  iat: number;
  exp: number;
  grant: RegistryGrant | 'service';
};

/**
 * The local registry's credentials and token realm, with one key the service keeps in its data folder:
 * login passwords are ES256 JWTs for the service's own audience carrying their grant; the bearer tokens
 * the registry checks are ES256 JWTs with the certificate in `x5c`, which docker-registry 2.8 verifies
 * against its rootcertbundle. https://distribution.github.io/distribution/spec/auth/jwt/
 */
export class LocalRegistryTokens implements RegistryLogins, RegistryTokenRealm {
  private readonly options: LocalRegistryTokensOptions;
  private readonly key: KeyObject;
  private readonly publicKey: KeyObject;
  private readonly certDer: string;

  constructor(options: LocalRegistryTokensOptions) {
    this.options = options;
    this.key = createPrivateKey(options.pem);
    this.publicKey = createPublicKey(this.key);
    const certPem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(options.pem)?.[0];
    if (!certPem) throw new Error('the registry token key file holds no certificate');
    const cert = new X509Certificate(certPem);
    if (!cert.publicKey.equals(this.publicKey)) throw new Error('the registry token certificate is not for its key');
    this.certDer = cert.raw.toString('base64');
  }

  async issue(grant: RegistryGrant, subject: string): Promise<RegistryLogin> {
    return this.login(subject, { ...grant, streams: [...grant.streams] });
  }

  /** A login with every repository's access, renewed once half of its life has passed. */
  async serviceLogin(): Promise<RegistryLogin> {
    return this.login(serviceSubject, 'service');
  }

  openLogin(password: string): OpenedLogin | undefined {
    const claims = this.verified(password);
    if (!claims || claims.aud !== loginAudience || claims.iss !== this.options.issuer) return undefined;
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= this.options.clock.now().getTime()) return undefined;
    const expiresAt = new Date(claims.exp * 1000);
    if (claims.grant === 'service') return { subject: serviceSubject, holder: { kind: 'service' }, expiresAt };
    const grant = claims.grant as Partial<RegistryGrant> | undefined;
    if (
      typeof grant?.namespace !== 'string' ||
      !Array.isArray(grant.streams) ||
      !grant.streams.every((s) => typeof s === 'string') ||
      !registryTokenAccess.includes(grant.access as never)
    )
      return undefined;
    return { subject: String(claims.sub), holder: { kind: 'grant', grant: grant as RegistryGrant }, expiresAt };
  }

  registryToken(
    subject: string,
    access: readonly ResourceActions[],
    notAfter?: Date,
  ): { token: string; expiresIn: number; issuedAt: Date } {
    const issuedAt = this.options.clock.now();
    const now = Math.floor(issuedAt.getTime() / 1000);
    const exp = Math.min(now + bearerSeconds, notAfter ? Math.floor(notAfter.getTime() / 1000) : Number.MAX_VALUE);
    const token = this.jwt(
      { alg: 'ES256', typ: 'JWT', x5c: [this.certDer] },
      {
        iss: this.options.issuer,
        sub: subject,
        aud: this.options.service,
        exp,
        // A little slack for the registry's clock, which distribution allows too.
        nbf: now - 10,
        iat: now,
        jti: randomUUID(),
        access,
      },
    );
    return { token, expiresIn: Math.max(exp - now, 1), issuedAt };
  }

  private login(subject: string, grant: RegistryGrant | 'service'): RegistryLogin {
    const now = Math.floor(this.options.clock.now().getTime() / 1000);
    const exp = now + this.options.loginSeconds;
    const claims: LoginClaims = { iss: this.options.issuer, aud: loginAudience, sub: subject, iat: now, exp, grant };
    return {
      username: 'imagestreams',
      password: this.jwt({ alg: 'ES256', typ: 'JWT' }, claims),
      expiresAt: new Date(exp * 1000),
    };
  }

  private jwt(header: object, claims: object): string {
    const unsigned = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    const signature = sign('sha256', Buffer.from(unsigned), { key: this.key, dsaEncoding: 'ieee-p1363' });
    return `${unsigned}.${signature.toString('base64url')}`;
  }

  /** The claims of a JWT this key signed (ES256, no `x5c`: a bearer token is not a login); undefined otherwise. */
  private verified(token: string): Partial<LoginClaims> | undefined {
    const [header, payload, signature, extra] = token.split('.');
    if (!header || !payload || !signature || extra !== undefined) return undefined;
    try {
      const parsedHeader = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<string, unknown>;
      if (parsedHeader.alg !== 'ES256' || 'x5c' in parsedHeader) return undefined;
      const valid = verify(
        'sha256',
        Buffer.from(`${header}.${payload}`),
        { key: this.publicKey, dsaEncoding: 'ieee-p1363' },
        Buffer.from(signature, 'base64url'),
      );
      if (!valid) return undefined;
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
      return claims && typeof claims === 'object' ? (claims as Partial<LoginClaims>) : undefined;
    } catch {
      return undefined;
    }
  }
}

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}
