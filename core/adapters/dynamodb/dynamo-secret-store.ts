import { AlreadyExistsError, NotFoundError } from '../../errors.ts';
import type { SecretStore, StoredSecret } from '../../ports.ts';
import { type DynamoTable, type Item, keys } from './dynamo-table.ts';

/** SecretStore on the table: sealed secrets in their namespace's partition. */
export class DynamoSecretStore implements SecretStore {
  private readonly table: DynamoTable;

  constructor(table: DynamoTable) {
    this.table = table;
  }

  async putSecret(namespace: string, secret: StoredSecret, mustNotExist: boolean): Promise<StoredSecret> {
    // An update, so that a replaced secret keeps the time it was first created.
    const written = await this.table.update(
      keys.inNamespace(namespace).secret(secret.name),
      {
        expression:
          'SET #type = :type, #name = :name, secretType = :secretType, registries = :registries, sealed = :sealed, ' +
          'creationTimestamp = if_not_exists(creationTimestamp, :created)',
        names: { '#type': 'type', '#name': 'name' },
        values: {
          ':type': 'secret',
          ':name': secret.name,
          ':secretType': secret.secretType,
          ':registries': secret.registries,
          ':sealed': secret.sealed,
          ':created': secret.creationTimestamp,
        },
      },
      { kind: 'secrets', name: secret.name },
      mustNotExist ? { expression: 'attribute_not_exists(pk)' } : undefined,
    );
    if (!written.ok) throw new AlreadyExistsError('secrets', secret.name);
    const created = written.attributes?.creationTimestamp;
    return typeof created === 'string' ? { ...secret, creationTimestamp: created } : secret;
  }

  async listSecrets(namespace: string): Promise<StoredSecret[]> {
    return (await this.table.query(keys.inNamespace(namespace).allSecrets)).map(secretOf);
  }

  async *secretsAfter(namespace: string, after: string | undefined, pageSize?: number): AsyncIterable<StoredSecret> {
    const inNamespace = keys.inNamespace(namespace);
    const start = after === undefined ? undefined : inNamespace.secret(after).sk;
    for await (const item of this.table.itemsAfter(inNamespace.allSecrets, start, pageSize)) yield secretOf(item);
  }

  async deleteSecret(namespace: string, name: string): Promise<void> {
    const deleted = await this.table.delete(
      keys.inNamespace(namespace).secret(name),
      { kind: 'secrets', name },
      { expression: 'attribute_exists(pk)' },
    );
    if (!deleted.ok) throw new NotFoundError('secrets', name);
  }
}

function secretOf(item: Item): StoredSecret {
  const { name, secretType, registries, creationTimestamp, sealed } = item as unknown as StoredSecret;
  return { name, secretType, registries, creationTimestamp, sealed };
}
