import * as z from 'zod/mini';
import type { Principal } from '../access/principal.ts';
import { isDeploymentAdmin, type RoleBindingRecord, roles, rolesOf } from '../access/roles.ts';
import { AlreadyExistsError, InvalidError, NotFoundError, staleObjectError } from '../errors.ts';
import { listOf } from '../kube/list-of.ts';
import { type ListRequest, takePage, wholeList } from '../kube/list-request.ts';
import { parseOrInvalid } from '../kube/parse-or-invalid.ts';
import { successStatus } from '../kube/success-status.ts';
import { lazy } from '../lazy.ts';
import type { AccessStore, Clock, NamespaceRecord } from '../ports.ts';
import { checkBodyIdentity, requireNamespace, validateNamespace, validateObjectName } from '../streams/names.ts';
import { timestamp } from '../timestamp.ts';

const rbacGroup = 'rbac.authorization.k8s.io';
const apiVersion = `${rbacGroup}/v1`;

/** rbac.authorization.k8s.io/v1 RoleBinding, as `kubectl create rolebinding` builds it: ClusterRoles only (the roles are fixed). */
export const roleBindingSchema = lazy(() =>
  z.object({
    apiVersion: z.optional(z.literal(apiVersion, { error: `must be "${apiVersion}"` })),
    kind: z.optional(z.literal('RoleBinding', { error: 'must be "RoleBinding"' })),
    metadata: z.object({
      name: z.optional(z.string()),
      namespace: z.optional(z.string()),
      resourceVersion: z.optional(z.string()),
    }),
    roleRef: z.strictObject({
      apiGroup: z.optional(z.literal(rbacGroup, { error: `must be "${rbacGroup}"` })),
      kind: z.optional(
        z.literal('ClusterRole', { error: 'must be "ClusterRole": the roles are view, edit, admin and image-puller' }),
      ),
      name: z.enum(roles as [string, ...string[]], { error: `must be one of ${roles.join(', ')}` }),
    }),
    subjects: z
      .array(
        z.strictObject({
          kind: z.enum(['User', 'Group'], { error: 'must be User or Group' }),
          // Protobuf bodies carry empty strings where JSON ones leave fields out.
          apiGroup: z.optional(z.enum([rbacGroup, ''], { error: `must be "${rbacGroup}"` })),
          namespace: z.optional(z.literal('', { error: 'must be empty: users and groups have no namespace' })),
          name: z.string().check(z.minLength(1, 'Required value'), z.maxLength(512)),
        }),
      )
      .check(z.minLength(1, 'at least one subject'), z.maxLength(100, 'at most 100 subjects')),
  }),
);

export const namespaceSchema = lazy(() =>
  z.object({
    apiVersion: z.optional(z.literal('v1', { error: 'must be "v1"' })),
    kind: z.optional(z.literal('Namespace', { error: 'must be "Namespace"' })),
    metadata: z.object({ name: z.string() }),
  }),
);

export interface AccessServiceOptions {
  access: AccessStore;
  newUid: () => string;
  clock: Clock;
  admins: readonly string[];
  /** How long role bindings read for authorisation are reused (per instance). */
  cacheMs: number;
}

function toRoleBinding(record: RoleBindingRecord) {
  return {
    apiVersion,
    kind: 'RoleBinding' as const,
    metadata: {
      name: record.name,
      namespace: record.namespace,
      uid: record.uid,
      resourceVersion: String(record.version),
      creationTimestamp: record.creationTimestamp,
    },
    roleRef: { apiGroup: rbacGroup, kind: 'ClusterRole', name: record.role },
    subjects: record.subjects.map((s) => ({ kind: s.kind, apiGroup: rbacGroup, name: s.name })),
  };
}

/** Namespaces and their role bindings, and the bindings the access policy reads (briefly cached). */
export class AccessService {
  private readonly options: AccessServiceOptions;
  private readonly cache = new Map<string, { at: number; bindings: Promise<RoleBindingRecord[]> }>();

  constructor(options: AccessServiceOptions) {
    this.options = options;
  }

  /** For the access policy: reads a namespace's bindings at most once per `cacheMs`. */
  bindings(namespace: string): Promise<RoleBindingRecord[]> {
    const now = this.options.clock.now().getTime();
    let cached = this.cache.get(namespace);
    if (!cached || now - cached.at > this.options.cacheMs) {
      cached = { at: now, bindings: this.options.access.listRoleBindings(namespace) };
      this.cache.set(namespace, cached);
      cached.bindings.catch(() => this.cache.delete(namespace));
    }
    return cached.bindings;
  }

  /** POST /api/v1/namespaces: creates a namespace, its creator its first admin. */
  async createNamespace(principal: Principal, body: unknown) {
    const name = parseOrInvalid(namespaceSchema, body, 'Namespace', '').metadata.name;
    const causes = validateNamespace(name, 'metadata.name');
    if (causes.length) throw new InvalidError('Namespace', name, causes);
    // A namespace used before it was created (by an admin writing into it) is someone's already: creating
    // it would make the caller its admin.
    if (await this.options.access.namespaceInUse(name)) throw new AlreadyExistsError('namespaces', name);
    const record: NamespaceRecord = {
      name,
      uid: this.options.newUid(),
      creationTimestamp: timestamp(this.options.clock.now()),
      createdBy: principal.user,
    };
    await this.options.access.createNamespace(record);
    await this.options.access.putRoleBinding(
      {
        namespace: name,
        name: 'creator-admin',
        role: 'admin',
        subjects: [{ kind: 'User', name: principal.user }],
        uid: this.options.newUid(),
        creationTimestamp: record.creationTimestamp,
        version: 0,
      },
      0,
    );
    this.cache.delete(name);
    return toNamespace(record);
  }

  /** GET /api/v1/namespaces: the namespaces the principal holds a role in (all of them for admins). */
  async listNamespaces(principal: Principal, request: ListRequest = wholeList) {
    const records = this.options.access.namespacesAfter(request.after, request.limit && request.limit + 1);
    const visible = isDeploymentAdmin(principal, this.options.admins) ? records : this.visibleTo(principal, records);
    const page = await takePage(visible, request, (ns) => ({ position: ns.name, metadata: { name: ns.name } }));
    return listOf('v1', 'NamespaceList', page.items.map(toNamespace), page.metadata);
  }

  /** The namespaces in which the principal holds a role; their bindings are read a few namespaces at a time. */
  private async *visibleTo(principal: Principal, namespaces: AsyncIterable<NamespaceRecord>) {
    const batch: NamespaceRecord[] = [];
    const check = async () => {
      const roles = await Promise.all(batch.map(async (ns) => rolesOf(principal, await this.bindings(ns.name))));
      const visible = batch.filter((_, i) => roles[i]?.length);
      batch.length = 0;
      return visible;
    };
    for await (const ns of namespaces) if (batch.push(ns) === 16) yield* await check();
    yield* await check();
  }

  /** A namespace created explicitly, or one that only holds data (written into by an admin): both exist for kubectl. */
  async getNamespace(name: string) {
    const record = (await this.options.access.listNamespaces()).find((ns) => ns.name === name);
    if (record) return toNamespace(record);
    if (validateNamespace(name).length === 0 && (await this.options.access.namespaceInUse(name)))
      return { apiVersion: 'v1', kind: 'Namespace', metadata: { name }, status: { phase: 'Active' } };
    throw new NotFoundError('namespaces', name);
  }

  async listRoleBindings(namespace: string, request: ListRequest = wholeList) {
    requireNamespace(namespace);
    const records = this.options.access.roleBindingsAfter(namespace, request.after, request.limit && request.limit + 1);
    const page = await takePage(records, request, (b) => ({ position: b.name, metadata: { name: b.name, namespace } }));
    return listOf(apiVersion, 'RoleBindingList', page.items.map(toRoleBinding), page.metadata);
  }

  async getRoleBinding(namespace: string, name: string) {
    requireNamespace(namespace);
    const record = (await this.options.access.listRoleBindings(namespace)).find((b) => b.name === name);
    if (!record) throw new NotFoundError('rolebindings', name);
    return toRoleBinding(record);
  }

  /** POST (create) or PUT (replace, or create when missing) a role binding. */
  async putRoleBinding(namespace: string, urlName: string | undefined, body: unknown) {
    requireNamespace(namespace);
    const input = parseOrInvalid(roleBindingSchema, body, 'RoleBinding', urlName ?? '');
    checkBodyIdentity(input.metadata, namespace, urlName);
    const name = input.metadata.name ?? urlName ?? '';
    const nameCauses = validateObjectName(name);
    if (nameCauses.length) throw new InvalidError('RoleBinding', name, nameCauses);
    const existing =
      urlName === undefined
        ? undefined
        : (await this.options.access.listRoleBindings(namespace)).find((b) => b.name === name);
    if (
      existing &&
      input.metadata.resourceVersion !== undefined &&
      input.metadata.resourceVersion !== String(existing.version)
    )
      throw staleObjectError('rolebindings', name);
    // As in Kubernetes, a binding's role is fixed: to grant another, delete it and create a new one.
    if (existing && existing.role !== input.roleRef.name)
      throw new InvalidError('RoleBinding', name, [
        { reason: 'FieldValueInvalid', field: 'roleRef', message: 'cannot change roleRef' },
      ]);
    const stored = await this.options.access.putRoleBinding(
      {
        namespace,
        name,
        role: input.roleRef.name as RoleBindingRecord['role'],
        subjects: input.subjects.map((s) => ({ kind: s.kind, name: s.name })),
        uid: existing?.uid ?? this.options.newUid(),
        creationTimestamp: existing?.creationTimestamp ?? timestamp(this.options.clock.now()),
        version: existing?.version ?? 0,
      },
      existing?.version ?? 0,
    );
    this.cache.delete(namespace);
    return toRoleBinding(stored);
  }

  async deleteRoleBinding(namespace: string, name: string) {
    requireNamespace(namespace);
    await this.options.access.deleteRoleBinding(namespace, name);
    this.cache.delete(namespace);
    return successStatus('rolebindings', name);
  }
}

function toNamespace(record: NamespaceRecord) {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: record.name,
      uid: record.uid,
      creationTimestamp: record.creationTimestamp,
      annotations: { 'imagestreams.dev/created-by': record.createdBy },
    },
    status: { phase: 'Active' },
  };
}
