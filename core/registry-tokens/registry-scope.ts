import { type IntegratedRegistry, streamOfRepository } from '../references/integrated-registry.ts';
import type { RegistryGrant, RegistryTokenAccess } from './registry-token-schema.ts';

/** A repository action of distribution's token protocol. */
export type RepositoryAction = 'pull' | 'push';

/** One entry of a registry token's `access` claim. https://distribution.github.io/distribution/spec/auth/jwt/ */
export interface ResourceActions {
  type: 'repository';
  name: string;
  actions: RepositoryAction[];
}

/** What one access allows on a repository: pushing needs pulling too (a client checks which blobs exist). */
export function actionsOf(access: RegistryTokenAccess): RepositoryAction[] {
  return access === 'push' ? ['pull', 'push'] : ['pull'];
}

/**
 * The repository scopes a token request asks for (`repository:demo/python:pull,push`), from its `scope`
 * parameters, each of which may hold several scopes separated by spaces. Other resource types (the
 * catalog) and unknown actions are dropped: nothing is granted for them.
 */
export function parseScopes(values: readonly string[]): ResourceActions[] {
  const scopes: ResourceActions[] = [];
  for (const scope of values.flatMap((value) => value.split(' ')).filter(Boolean)) {
    const first = scope.indexOf(':');
    const last = scope.lastIndexOf(':');
    if (first < 0 || last === first || scope.slice(0, first) !== 'repository') continue;
    const actions = scope
      .slice(last + 1)
      .split(',')
      .filter((action): action is RepositoryAction => action === 'pull' || action === 'push');
    scopes.push({ type: 'repository', name: scope.slice(first + 1, last), actions: [...new Set(actions)] });
  }
  return scopes;
}

/** Who is asking: the service itself (every stream's repository), a login scoped to a grant, or a principal's roles. */
export type RegistryHolder =
  | { kind: 'service' }
  | { kind: 'grant'; grant: RegistryGrant }
  | {
      kind: 'roles';
      allows: (stream: { namespace: string; name: string }, action: RepositoryAction) => Promise<boolean>;
    };

/**
 * The intersection of what a token request asks for and what its holder may do: only repositories that
 * belong to a stream of the integrated registry, only the actions the holder has there. Scopes that get
 * nothing are left out, as distribution's own token servers do.
 */
export async function grantedScopes(
  registry: IntegratedRegistry,
  requested: readonly ResourceActions[],
  holder: RegistryHolder | undefined,
): Promise<ResourceActions[]> {
  const granted: ResourceActions[] = [];
  for (const scope of requested) {
    const stream = streamOfRepository(registry, scope.name);
    if (!stream || !holder) continue;
    const actions: RepositoryAction[] = [];
    for (const action of scope.actions) if (await allows(holder, stream, action)) actions.push(action);
    if (actions.length) granted.push({ ...scope, actions });
  }
  return granted;
}

async function allows(
  holder: RegistryHolder,
  stream: { namespace: string; name: string },
  action: RepositoryAction,
): Promise<boolean> {
  switch (holder.kind) {
    case 'service':
      return true;
    case 'grant':
      return (
        holder.grant.namespace === stream.namespace &&
        holder.grant.streams.includes(stream.name) &&
        actionsOf(holder.grant.access).includes(action)
      );
    case 'roles':
      return holder.allows(stream, action);
  }
}
