import { describe, expect, it } from 'vitest';
import { continueTokens } from '../../core/kube/continue-tokens.ts';
import { InvalidContinueTokenError, InvalidSelectorError } from '../../core/kube/errors.ts';
import { parseFieldSelector } from '../../core/kube/parse-field-selector.ts';
import { parseLabelSelector } from '../../core/kube/parse-label-selector.ts';

const key = Buffer.alloc(32, 7);
const scope = 'image.openshift.io/imagestreams/demo?labelSelector=app%3Dweb';

describe('continueTokens', () => {
  const tokens = continueTokens(key);

  it('round-trips a position for the same list, as an opaque base64url token', () => {
    const token = tokens.encode(scope, 'demo/python');
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(token).not.toContain('python');
    expect(tokens.decode(scope, token)).toBe('demo/python');
  });

  it('refuses a token for another list, a tampered one, one under another key and garbage with a 400', () => {
    const token = tokens.encode(scope, 'demo/python');
    const [payload, mac] = token.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ v: 1, s: scope, p: 'demo/zzz' })).toString('base64url');
    const cases: [string, string, RegExp][] = [
      ['image.openshift.io/imagestreams/other', token, /another list/],
      [scope, `${forged}.${mac}`, /not issued by this server/],
      [scope, `${payload}.${mac.slice(0, -2)}AA`, /not issued/],
      [scope, continueTokens(Buffer.alloc(32, 8)).encode(scope, 'demo/python'), /not issued/],
      [scope, 'garbage', /malformed/],
      [scope, `${payload}.${mac}.x`, /malformed/],
      [scope, '%%%.###', /malformed/],
    ];
    for (const [listScope, bad, why] of cases) {
      let caught: unknown;
      try {
        tokens.decode(listScope, bad);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(InvalidContinueTokenError);
      expect((caught as Error).message).toMatch(/^invalid continue token: /);
      expect((caught as Error).message).toMatch(why);
      expect((caught as InvalidContinueTokenError).reason).toBe('BadRequest');
    }
  });

  it('wants a key of at least 32 bytes', () => {
    expect(() => continueTokens(Buffer.alloc(8))).toThrow(/32 bytes/);
  });
});

describe('parseLabelSelector', () => {
  const labels = { app: 'web', tier: 'front', version: '12' };

  it('parses and matches equality, set-based and existence requirements', () => {
    const cases: [string, boolean][] = [
      ['', true],
      ['app=web', true],
      ['app==web', true],
      ['app!=web', false],
      ['app!=db', true],
      ['missing!=x', true],
      ['app in (web,db)', true],
      ['app in (db)', false],
      ['app notin (db, cache)', true],
      ['missing notin (db)', true],
      ['app', true],
      ['!app', false],
      ['!missing', true],
      ['app=web,tier=front', true],
      ['app=web, tier=back', false],
      ['version>10', true],
      ['version<10', false],
      ['app>1', false],
      ['  app = web  ', true],
      ['app=', false],
      ['in=x', false],
    ];
    for (const [text, expected] of cases)
      expect([text, parseLabelSelector(text).matches(labels)]).toEqual([text, expected]);
    expect(parseLabelSelector('app').matches(undefined)).toBe(false);
  });

  it('returns the requirements sorted by key, with set values sorted', () => {
    expect(parseLabelSelector('z=1,a in (c,b),!m').requirements).toEqual([
      { key: 'a', operator: 'in', values: ['b', 'c'] },
      { key: 'm', operator: '!', values: [] },
      { key: 'z', operator: '=', values: ['1'] },
    ]);
    expect(parseLabelSelector('a in ()').requirements[0]?.values).toEqual(['']);
    expect(parseLabelSelector('example.com/app=x').requirements[0]?.key).toBe('example.com/app');
  });

  it('refuses bad syntax with Kubernetes parser messages', () => {
    const cases: [string, string][] = [
      ['app in a', "unable to parse requirement: found 'a' expected: '('"],
      ['app in (a', "unable to parse requirement: found '', expected: ',', ')' or identifier"],
      ['app web', "found 'web', expected: in, notin, =, ==, !=, gt, lt"],
      ['app=web,', "found '', expected: identifier after ','"],
      ['=web', "found '=', expected: !, identifier, or 'end of string'"],
      ['app=web tier=x', "found 'tier', expected: ',' or 'end of string'"],
      ['!app=x', "found '=', expected: ',' or 'end of string'"],
      ['version>a', 'the value must be an integer'],
      ['-app=x', 'Invalid value: "-app"'],
      ['app=-x-', 'Invalid value: "-x-"'],
      ['Bad_Prefix/app=x', 'prefix part'],
      [`${'a'.repeat(64)}=x`, 'name part'],
    ];
    for (const [text, message] of cases) {
      expect(() => parseLabelSelector(text), text).toThrow(InvalidSelectorError);
      expect(() => parseLabelSelector(text), text).toThrow(message);
    }
  });
});

describe('parseFieldSelector', () => {
  it('parses metadata.name and metadata.namespace with =, == and !=', () => {
    const fields = { 'metadata.name': 'python', 'metadata.namespace': 'demo' };
    expect(parseFieldSelector('metadata.name=python').matches(fields)).toBe(true);
    expect(parseFieldSelector('metadata.name==ruby').matches(fields)).toBe(false);
    expect(parseFieldSelector('metadata.name!=ruby,metadata.namespace=demo').matches(fields)).toBe(true);
    expect(parseFieldSelector('').requirements).toEqual([]);
    expect(parseFieldSelector('metadata.name=a\\,b').requirements).toEqual([
      { field: 'metadata.name', operator: '=', value: 'a,b' },
    ]);
  });

  it('refuses other fields and bad syntax in Kubernetes words', () => {
    expect(() => parseFieldSelector('spec.x=1')).toThrow(
      '"spec.x" is not a known field selector: only "metadata.name", "metadata.namespace"',
    );
    expect(() => parseFieldSelector('metadata.name')).toThrow(
      "invalid selector: 'metadata.name'; can't understand 'metadata.name'",
    );
    expect(() => parseFieldSelector('=x')).toThrow(InvalidSelectorError);
    expect(() => parseFieldSelector('metadata.name=a\\q')).toThrow(/invalid escape/);
  });
});
