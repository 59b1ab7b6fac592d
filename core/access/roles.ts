import type { Principal } from './principal.ts';
import { adminsGroup } from './principal.ts';

export type Verb = 'get' | 'list' | 'create' | 'update' | 'delete';
/**
 * `awstargets`: pointing a trigger at an AWS resource, which no namespace role grants (the service's IAM role
 * reaches the whole account). `imagestreams/layers`: the streams' repositories in the integrated registry, as
 * OpenShift's registry asks it: `get` pulls, `update` pushes. `registrytokens`: asking for credentials to it.
 */
export type Resource =
  | 'imagestreams'
  | 'imagestreamtags'
  | 'imagestreamimages'
  | 'imagestreamimports'
  | 'imagetriggers'
  | 'receivers'
  | 'registrytokens'
  | 'imagestreams/layers'
  | 'secrets'
  | 'rolebindings'
  | 'namespaces'
  | 'awstargets';
export type Role = 'image-puller' | 'view' | 'edit' | 'admin';

export const roles: readonly Role[] = ['image-puller', 'view', 'edit', 'admin'];

const read: Verb[] = ['get', 'list'];
const write: Verb[] = ['create', 'update', 'delete'];

const view: Partial<Record<Resource, readonly Verb[]>> = {
  imagestreams: read,
  imagestreamtags: read,
  imagestreamimages: read,
  imagetriggers: read,
  receivers: read,
  namespaces: ['get'],
  registrytokens: ['create'],
  'imagestreams/layers': ['get'],
};
const edit: Partial<Record<Resource, readonly Verb[]>> = {
  ...view,
  imagestreams: [...read, ...write],
  imagestreamtags: [...read, ...write],
  imagestreamimports: ['create'],
  imagetriggers: [...read, ...write],
  receivers: [...read, ...write],
  'imagestreams/layers': ['get', 'update'],
};

/**
 * What each namespace role may do: each includes the one before it, except that image-puller only reads tags
 * and images, and pulls from the streams' repositories (with a registry token).
 */
const grants: Record<Role, Partial<Record<Resource, readonly Verb[]>>> = {
  'image-puller': {
    imagestreamtags: ['get'],
    imagestreamimages: ['get'],
    registrytokens: ['create'],
    'imagestreams/layers': ['get'],
  },
  view,
  edit,
  admin: { ...edit, secrets: [...read, ...write], rolebindings: [...read, ...write], namespaces: ['get', 'delete'] },
};

export function roleAllows(role: Role, verb: Verb, resource: Resource): boolean {
  return grants[role][resource]?.includes(verb) ?? false;
}

/** The least role that allows an action, for a 403 that says what is missing. */
export function leastRoleFor(verb: Verb, resource: Resource): Role | undefined {
  return roles.find((role) => roleAllows(role, verb, resource));
}

export interface RoleBindingSubject {
  kind: 'User' | 'Group';
  name: string;
}

export interface RoleBindingRecord {
  namespace: string;
  name: string;
  role: Role;
  subjects: RoleBindingSubject[];
  uid: string;
  creationTimestamp: string;
  version: number;
}

/** Deployment-wide admins: the `system:admins` group, and users and `group:<name>` entries of the configuration. */
export function isDeploymentAdmin(principal: Principal, admins: readonly string[]): boolean {
  return (
    principal.groups.includes(adminsGroup) ||
    admins.some((entry) =>
      entry.startsWith('group:') ? principal.groups.includes(entry.slice(6)) : entry === principal.user,
    )
  );
}

/** Whether a principal matches a list of users and `group:<name>` entries (`*` matches everyone authenticated). */
export function matchesAny(principal: Principal, entries: readonly string[]): boolean {
  return entries.includes('*') || isDeploymentAdmin(principal, entries);
}

export function rolesOf(principal: Principal, bindings: readonly RoleBindingRecord[]): Role[] {
  return bindings
    .filter((b) =>
      b.subjects.some((s) => (s.kind === 'User' ? s.name === principal.user : principal.groups.includes(s.name))),
    )
    .map((b) => b.role);
}
