import { ForbiddenError, UnauthorizedError } from '../errors.ts';
import type { Principal } from './principal.ts';
import {
  isDeploymentAdmin,
  leastRoleFor,
  matchesAny,
  type Resource,
  type RoleBindingRecord,
  roleAllows,
  rolesOf,
  type Verb,
} from './roles.ts';

export type { Resource, Verb } from './roles.ts';

export interface AccessRequest {
  verb: Verb;
  resource: Resource;
  namespace: string;
}

export interface AccessPolicyOptions {
  /** A namespace's role bindings (read through a short cache). */
  bindings: (namespace: string) => Promise<RoleBindingRecord[]>;
  /** Users and `group:<name>` entries that are admins everywhere (besides the group system:admins). */
  admins: readonly string[];
  /** Who may create namespaces: users, `group:<name>`, or `*` for every authenticated principal. */
  namespaceCreators: readonly string[];
}

/** The one place every request is authorised: the principal's namespace roles, or deployment-wide admin. */
export class AccessPolicy {
  private readonly options: AccessPolicyOptions;

  constructor(options: AccessPolicyOptions) {
    this.options = options;
  }

  /** Answers the principal, or throws Unauthorized (none) or Forbidden naming what is missing. */
  async authorize(principal: Principal | undefined, request: AccessRequest): Promise<Principal> {
    if (!principal || principal.user.trim() === '') throw new UnauthorizedError();
    if (isDeploymentAdmin(principal, this.options.admins)) return principal;
    if (request.resource === 'namespaces' && request.verb === 'create') {
      if (matchesAny(principal, this.options.namespaceCreators)) return principal;
      throw new ForbiddenError(`${who(principal)} cannot create namespaces: it is not among the namespace creators`);
    }
    if (request.resource === 'namespaces' && request.verb === 'list') return principal;
    const held = rolesOf(principal, await this.options.bindings(request.namespace));
    if (held.some((role) => roleAllows(role, request.verb, request.resource))) return principal;
    const needed = leastRoleFor(request.verb, request.resource);
    throw new ForbiddenError(
      `${who(principal)} cannot ${request.verb} ${request.resource} in namespace "${request.namespace}": ${needed ? `it needs the role ${needed}` : 'only deployment admins may'}`,
    );
  }
}

function who(principal: Principal): string {
  return `user ${JSON.stringify(principal.user)}`;
}
