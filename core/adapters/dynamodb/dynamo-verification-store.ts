import { createHash } from 'node:crypto';
import type { VerificationRecord, VerificationStore } from '../../ports-signatures.ts';
import { type DynamoTable, keys } from './dynamo-table.ts';

/** VerificationStore on the table: next to the image's item, one item per policy (hashed: it may hold a PEM key). */
export class DynamoVerificationStore implements VerificationStore {
  private readonly table: DynamoTable;

  constructor(table: DynamoTable) {
    this.table = table;
  }

  async getVerification(digest: string, policy: string): Promise<VerificationRecord | undefined> {
    const item = await this.table.get(keys.verification(digest, hash(policy)), { kind: 'verifications', name: digest });
    const record = item?.verification as VerificationRecord | undefined;
    // A hash collision would need SHA-256 broken; the stored policy is compared anyway.
    return record?.policy === policy ? record : undefined;
  }

  async putVerification(record: VerificationRecord): Promise<void> {
    await this.table.put(
      { ...keys.verification(record.digest, hash(record.policy)), type: 'verification', verification: record },
      { kind: 'verifications', name: record.digest },
    );
  }
}

function hash(policy: string): string {
  return createHash('sha256').update(policy).digest('hex');
}
