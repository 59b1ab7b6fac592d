import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { isBlockedHost } from '../../outbound/is-blocked-host.ts';
import { buildConnector, type Dispatcher } from '../http/undici-parts.ts';

/** A resolved address that is not an IP, or is in a range no registry or webhook may reach (see isBlockedHost). */
export function isBlockedAddress(address: string): boolean {
  return !isIP(address) || isBlockedHost(address);
}

export class BlockedAddressError extends Error {
  readonly code = 'EBLOCKEDADDRESS';
  constructor(host: string, address: string) {
    super(
      `refused to connect to ${host} (${address}): loopback, private, link-local and metadata addresses are not allowed`,
    );
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** DNS lookup that refuses any answer in a blocked range, so a public name cannot point an import inside. */
function guardedLookup(hostname: string, options: { all?: boolean; family?: number }, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const refused = addresses.find((a) => isBlockedAddress(a.address));
    if (refused) return callback(new BlockedAddressError(hostname, refused.address) as NodeJS.ErrnoException, []);
    if (options.all) return callback(null, addresses);
    const first = addresses[0];
    return first
      ? callback(null, first.address, first.family)
      : callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
  });
}

/**
 * The connector of every outbound registry connection: hosts in `localHosts` (host:port) may be
 * anywhere; any other connection to a blocked address — an IP literal, or a name resolving to one —
 * is refused before a byte is sent.
 */
export function guardedConnector(options: {
  timeoutMs: number;
  verifyTls: boolean;
  localHosts: ReadonlySet<string>;
}): buildConnector.connector {
  const tls = { rejectUnauthorized: options.verifyTls };
  const guarded = buildConnector({
    timeout: options.timeoutMs,
    lookup: guardedLookup,
    ...tls,
  } as buildConnector.BuildOptions);
  const open = buildConnector({ timeout: options.timeoutMs, ...tls } as buildConnector.BuildOptions);
  return (opts, callback) => {
    const port = opts.port || (opts.protocol === 'https:' ? '443' : '80');
    const hostname = opts.hostname.replace(/^\[|\]$/g, '');
    if (options.localHosts.has(`${opts.hostname}:${port}`) || options.localHosts.has(opts.hostname))
      return open(opts, callback);
    if (isIP(hostname) && isBlockedHost(hostname)) {
      callback(new BlockedAddressError(opts.hostname, hostname), null);
      return;
    }
    return guarded(opts, callback);
  };
}

export type { Dispatcher };
