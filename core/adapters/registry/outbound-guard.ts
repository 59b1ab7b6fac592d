import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { buildConnector, type Dispatcher } from 'undici';

// Addresses no import may reach unless its host is configured as a local/insecure registry:
// loopback, private, shared, link-local (cloud metadata at 169.254.169.254 and fd00:ec2::254), multicast, reserved.
const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  // ::/96 holds the unspecified address, loopback and the deprecated IPv4-compatible addresses (::a.b.c.d).
  ['::', 96],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv6');
}

export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family !== 6) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return blocked.check(mapped, 'ipv4');
  return blocked.check(address, 'ipv6');
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
    if (isIP(hostname) && isBlockedAddress(hostname)) {
      callback(new BlockedAddressError(opts.hostname, hostname), null);
      return;
    }
    return guarded(opts, callback);
  };
}

export type { Dispatcher };
