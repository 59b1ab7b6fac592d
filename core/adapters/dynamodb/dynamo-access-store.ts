import type { RoleBindingRecord } from '../../access/roles.ts';
import { AlreadyExistsError, NotFoundError, staleObjectError } from '../../errors.ts';
import type { AccessStore, NamespaceRecord } from '../../ports.ts';
import { type DynamoTable, type Item, keys } from './dynamo-table.ts';

/** AccessStore on the table: role bindings in their namespace's partition, namespace records in one partition of their own. */
export class DynamoAccessStore implements AccessStore {
  private readonly table: DynamoTable;

  constructor(table: DynamoTable) {
    this.table = table;
  }

  async listRoleBindings(namespace: string): Promise<RoleBindingRecord[]> {
    return (await this.table.query(keys.inNamespace(namespace).allRoleBindings)).map(roleBindingOf);
  }

  async *roleBindingsAfter(
    namespace: string,
    after: string | undefined,
    pageSize?: number,
  ): AsyncIterable<RoleBindingRecord> {
    const inNamespace = keys.inNamespace(namespace);
    const start = after === undefined ? undefined : inNamespace.roleBinding(after).sk;
    for await (const item of this.table.itemsAfter(inNamespace.allRoleBindings, start, pageSize))
      yield roleBindingOf(item);
  }

  async putRoleBinding(binding: RoleBindingRecord, expectedVersion: number): Promise<RoleBindingRecord> {
    const next = { ...binding, version: expectedVersion + 1 };
    const written = await this.table.put(
      { ...keys.inNamespace(binding.namespace).roleBinding(binding.name), type: 'rolebinding', ...next },
      { kind: 'rolebindings', name: binding.name },
      expectedVersion === 0
        ? { expression: 'attribute_not_exists(pk)' }
        : { expression: 'version = :v', values: { ':v': expectedVersion } },
    );
    if (!written.ok)
      throw expectedVersion === 0
        ? new AlreadyExistsError('rolebindings', binding.name)
        : staleObjectError('rolebindings', binding.name);
    return next;
  }

  async deleteRoleBinding(namespace: string, name: string): Promise<void> {
    const deleted = await this.table.delete(
      keys.inNamespace(namespace).roleBinding(name),
      { kind: 'rolebindings', name },
      { expression: 'attribute_exists(pk)' },
    );
    if (!deleted.ok) throw new NotFoundError('rolebindings', name);
  }

  async createNamespace(namespace: NamespaceRecord): Promise<void> {
    const written = await this.table.put(
      { ...keys.namespace(namespace.name), type: 'namespace', ...namespace },
      { kind: 'namespaces', name: namespace.name },
      { expression: 'attribute_not_exists(pk)' },
    );
    if (!written.ok) throw new AlreadyExistsError('namespaces', namespace.name);
  }

  async namespaceInUse(namespace: string): Promise<boolean> {
    // Any item of the partition, whatever its kind: every namespaced record is stored there.
    return (await this.table.query(keys.inNamespace(namespace).everything, 1)).length > 0;
  }

  async listNamespaces(): Promise<NamespaceRecord[]> {
    return (await this.table.query(keys.allNamespaces)).map(namespaceOf);
  }

  async *namespacesAfter(after: string | undefined, pageSize?: number): AsyncIterable<NamespaceRecord> {
    const start = after === undefined ? undefined : keys.namespace(after).sk;
    for await (const item of this.table.itemsAfter(keys.allNamespaces, start, pageSize)) yield namespaceOf(item);
  }
}

function roleBindingOf(item: Item): RoleBindingRecord {
  const { namespace, name, role, subjects, uid, creationTimestamp, version } = item as unknown as RoleBindingRecord;
  return { namespace, name, role, subjects, uid, creationTimestamp, version };
}

function namespaceOf(item: Item): NamespaceRecord {
  const { name, uid, creationTimestamp, createdBy } = item as unknown as NamespaceRecord;
  return { name, uid, creationTimestamp, createdBy };
}
