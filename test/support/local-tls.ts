import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureLocalCertificates, type LocalCertificates } from '../../functions/local/local-certificates.ts';

let issued: Promise<LocalCertificates & { dir: string }> | undefined;

/** A local CA and server certificate, issued as `npm start` issues them, once per test process, in a temp dir. */
export function localTls(): Promise<LocalCertificates & { dir: string }> {
  issued ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'imagestreams-tls-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    return { ...(await ensureLocalCertificates(dir)), dir };
  })();
  return issued;
}
