import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureLocalCertificates } from '../../functions/local/local-certificates.ts';

const exec = promisify(execFile);
const day = 24 * 60 * 60 * 1000;
let dir = '';

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'imagestreams-certs-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** openssl's verdict on the server certificate as a TLS server's, at a given time, for a name or an address. */
async function verify(check: string[], at = new Date()): Promise<string> {
  const args = ['verify', '-CAfile', join(dir, 'ca.crt'), '-purpose', 'sslserver'];
  args.push('-attime', String(Math.floor(at.getTime() / 1000)), ...check, join(dir, 'server.crt'));
  return exec('openssl', args).then(
    ({ stdout }) => stdout.trim(),
    (error: { stdout: string; stderr: string }) => `${error.stdout}${error.stderr}`.trim(),
  );
}

describe('ensureLocalCertificates', () => {
  it('creates a CA and a server certificate that openssl accepts for localhost, 127.0.0.1 and ::1', async () => {
    const issued = await ensureLocalCertificates(dir);
    expect(issued.issued).toEqual({ ca: true, server: true });
    for (const check of [
      ['-verify_hostname', 'localhost'],
      ['-verify_ip', '127.0.0.1'],
      ['-verify_ip', '::1'],
    ])
      expect(await verify(check)).toBe(`${join(dir, 'server.crt')}: OK`);
    expect(await verify(['-verify_hostname', 'example.com'])).toContain('hostname mismatch');
    const ca = (
      await exec('openssl', ['x509', '-in', join(dir, 'ca.crt'), '-noout', '-ext', 'basicConstraints,keyUsage'])
    ).stdout;
    expect(ca).toMatch(/critical\s+CA:TRUE/);
    expect(ca).toContain('Certificate Sign');
    expect(
      (await exec('openssl', ['x509', '-in', join(dir, 'server.crt'), '-noout', '-ext', 'extendedKeyUsage'])).stdout,
    ).toContain('TLS Web Server Authentication');
    for (const key of ['ca.key', 'server.key']) expect((await stat(join(dir, key))).mode & 0o777, key).toBe(0o600);
    expect(issued.key).toBe(await readFile(join(dir, 'server.key'), 'utf8'));
  });

  it('keeps both while they last, and renews the server certificate near its end under the same CA', async () => {
    const now = new Date();
    const first = await ensureLocalCertificates(dir, now);
    const again = await ensureLocalCertificates(dir, new Date(now.getTime() + 300 * day));
    expect(again).toEqual({ ...first, issued: { ca: false, server: false } });

    const later = new Date(now.getTime() + 340 * day);
    const renewed = await ensureLocalCertificates(dir, later);
    expect(renewed.issued).toEqual({ ca: false, server: true });
    expect(renewed.ca).toBe(first.ca);
    expect(renewed.cert).not.toBe(first.cert);
    expect(await verify(['-verify_ip', '127.0.0.1'], later)).toBe(`${join(dir, 'server.crt')}: OK`);
    expect(new Date(new X509Certificate(renewed.cert).validTo).getTime()).toBeGreaterThan(later.getTime() + 300 * day);
  });

  it('re-issues a server certificate that is missing, signed by another CA or not matching its key, and a lost CA', async () => {
    const first = await ensureLocalCertificates(dir);
    await unlink(join(dir, 'server.crt'));
    const missing = await ensureLocalCertificates(dir);
    expect(missing.issued).toEqual({ ca: false, server: true });

    const other = await mkdtemp(join(tmpdir(), 'imagestreams-certs-other-'));
    try {
      await ensureLocalCertificates(other);
      await copyFile(join(other, 'server.crt'), join(dir, 'server.crt'));
      await copyFile(join(other, 'server.key'), join(dir, 'server.key'));
      const foreign = await ensureLocalCertificates(dir);
      expect(foreign.issued).toEqual({ ca: false, server: true });
      expect(foreign.ca).toBe(first.ca);
      expect(await verify(['-verify_hostname', 'localhost'])).toBe(`${join(dir, 'server.crt')}: OK`);

      // A key that is not the certificate's (a half-finished copy) would fail every handshake.
      await copyFile(join(other, 'server.key'), join(dir, 'server.key'));
      const mismatched = await ensureLocalCertificates(dir);
      expect(mismatched.issued).toEqual({ ca: false, server: true });
      expect(mismatched.key).toBe(await readFile(join(dir, 'server.key'), 'utf8'));
      expect(mismatched.key).not.toBe(await readFile(join(other, 'server.key'), 'utf8'));
    } finally {
      await rm(other, { recursive: true, force: true });
    }

    await unlink(join(dir, 'ca.key'));
    await writeFile(join(dir, 'server.key'), 'stale', { mode: 0o644 });
    const fresh = await ensureLocalCertificates(dir);
    expect(fresh.issued).toEqual({ ca: true, server: true });
    expect(fresh.ca).not.toBe(first.ca);
    expect((await stat(join(dir, 'server.key'))).mode & 0o777).toBe(0o600);
    expect(await verify(['-verify_ip', '::1'])).toBe(`${join(dir, 'server.crt')}: OK`);
  });
});
