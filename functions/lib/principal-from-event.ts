import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { adminsGroup, type Principal } from '../../core/access/principal.ts';

type AuthorizerContext = {
  jwt?: { claims?: Record<string, unknown> };
  iam?: { userArn?: string; userId?: string };
  lambda?: { user?: unknown; groups?: unknown };
};

/**
 * The caller as API Gateway's authorizer saw it: JWT claims (subject and groups), IAM (the caller's ARN),
 * or a Lambda authorizer's context (which local mode also uses). Undefined when there is none.
 */
export function principalFromEvent(event: APIGatewayProxyEventV2): Principal | undefined {
  const authorizer = (event.requestContext as { authorizer?: AuthorizerContext }).authorizer;
  const claims = authorizer?.jwt?.claims;
  if (claims) return principal(claims.sub, claims['cognito:groups'] ?? claims.groups);
  if (authorizer?.iam?.userArn) return principal(authorizer.iam.userArn, []);
  if (authorizer?.lambda) return principal(authorizer.lambda.user, authorizer.lambda.groups);
  return undefined;
}

function principal(user: unknown, groups: unknown): Principal | undefined {
  if (typeof user !== 'string' || user.trim() === '') return undefined;
  return { user, groups: groupList(groups) };
}

/**
 * API Gateway flattens array claims to "[a b]"; a Lambda authorizer may pass a list or a comma-separated
 * string. A flattened string cannot tell a group named "x system:admins" from two groups, so it never
 * yields the deployment admins' group: name admins in IMAGESTREAMS_ADMINS instead.
 */
function groupList(groups: unknown): string[] {
  if (Array.isArray(groups)) return groups.filter((g): g is string => typeof g === 'string' && g !== '');
  if (typeof groups !== 'string') return [];
  return groups
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter((g) => g !== '' && g !== adminsGroup);
}
