import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { principalFromEvent } from '../../functions/lib/principal-from-event.ts';

const event = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/events/${name}`, import.meta.url), 'utf8')) as APIGatewayProxyEventV2;
const withAuthorizer = (authorizer: unknown) => {
  const e = event('apigw-v2-jwt.json');
  (e.requestContext as unknown as { authorizer?: unknown }).authorizer = authorizer;
  return e;
};

describe('principalFromEvent', () => {
  it('reads the subject and the flattened groups claim of a JWT authorizer', () => {
    expect(principalFromEvent(event('apigw-v2-jwt.json'))).toEqual({
      user: '5f0c9b0e-1d2a-4c3b-9e8f-7a6b5c4d3e2f',
      groups: ['team-a', 'platform'],
    });
  });

  it('reads the caller ARN of IAM auth', () => {
    expect(principalFromEvent(event('apigw-v2-iam.json'))).toEqual({
      user: 'arn:aws:sts::123456789012:assumed-role/ci-deployer/ci',
      groups: [],
    });
  });

  it('reads a Lambda authorizer context with a list or a string of groups', () => {
    expect(principalFromEvent(withAuthorizer({ lambda: { user: 'bob', groups: ['a', 'b'] } }))).toEqual({
      user: 'bob',
      groups: ['a', 'b'],
    });
    expect(principalFromEvent(withAuthorizer({ lambda: { user: 'bob', groups: 'a,b' } }))).toEqual({
      user: 'bob',
      groups: ['a', 'b'],
    });
  });

  it.each([
    ['no authorizer', undefined],
    ['JWT claims without a subject', { jwt: { claims: { groups: '[admins]' } } }],
    ['a blank subject', { jwt: { claims: { sub: '  ' } } }],
    ['a subject that is not a string', { jwt: { claims: { sub: 42 } } }],
    ['an empty IAM context', { iam: {} }],
    ['a Lambda context without a user', { lambda: { groups: ['system:admins'] } }],
  ])('finds no principal with %s', (_what, authorizer) => {
    expect(principalFromEvent(withAuthorizer(authorizer))).toBeUndefined();
  });

  it('never reads the admins group out of a flattened claim, where a group name could smuggle it in', () => {
    expect(
      principalFromEvent(withAuthorizer({ jwt: { claims: { sub: 'mallory', groups: '[team-a system:admins]' } } })),
    ).toEqual({ user: 'mallory', groups: ['team-a'] });
    expect(principalFromEvent(withAuthorizer({ jwt: { claims: { sub: 'root', groups: ['system:admins'] } } }))).toEqual(
      { user: 'root', groups: ['system:admins'] },
    );
  });

  it('keeps only string group names', () => {
    expect(principalFromEvent(withAuthorizer({ lambda: { user: 'bob', groups: ['a', 3, null, ''] } }))).toEqual({
      user: 'bob',
      groups: ['a'],
    });
  });
});
