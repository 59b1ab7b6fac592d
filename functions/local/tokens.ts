import { randomBytes } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { adminsGroup, type Principal } from '../../core/access/principal.ts';

const minTokenLength = 16;
const tokensFileSchema = z.record(
  z.string(),
  z.strictObject({ user: z.string().min(1), groups: z.array(z.string()).default([]) }),
);

/** Reads `{ "<token>": { "user": …, "groups": [ … ] } }`; fails loudly on a malformed file. */
export async function readTokensFile(path: string): Promise<Map<string, Principal>> {
  const parsed = tokensFileSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
  if (!parsed.success)
    throw new Error(`${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const tokens = new Map(Object.entries(parsed.data));
  if ([...tokens.keys()].some((token) => token.length < minTokenLength))
    throw new Error(`${path}: tokens must be at least ${minTokenLength} characters`);
  return tokens;
}

/** The admin token kept in the data folder (mode 0600), created on first start. */
export async function adminToken(dataDir: string): Promise<{ token: string; created: boolean }> {
  const path = join(dataDir, 'admin-token');
  try {
    return { token: (await readFile(path, 'utf8')).trim(), created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const token = randomBytes(24).toString('base64url');
  await writeFile(path, `${token}\n`, { mode: 0o600, flag: 'wx' });
  await chmod(path, 0o600);
  return { token, created: true };
}

/** The key that seals registry credentials in local mode, kept in the data folder (mode 0600), created on first start. */
export async function credentialsKey(dataDir: string): Promise<string> {
  const path = join(dataDir, 'credentials.key');
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(32).toString('base64');
  await writeFile(path, `${key}\n`, { mode: 0o600, flag: 'wx' });
  await chmod(path, 0o600);
  return key;
}

export const localAdmin: Principal = { user: 'local-admin', groups: [adminsGroup] };
