import { BlockList, isIP } from 'node:net';
import { lazy } from '../lazy.ts';

// Where no outbound connection of the service (registries, webhooks) may go unless the deployment allows
// that host: loopback, private, shared, link-local (cloud metadata at 169.254.169.254 and fd00:ec2::254),
// multicast, reserved. Node matches IPv4-mapped IPv6 addresses (::ffff:10.0.0.1) against the IPv4 rules.
// Built by the first check (lazy): node:net is loaded then, not by a cold start that connects nowhere.
const blockedRanges = lazy(() => {
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
    // IPv4-compatible addresses (deprecated by RFC 4291), with :: and ::1 among them.
    ['::', 96],
    ['fc00::', 7],
    ['fe80::', 10],
    ['ff00::', 8],
    ['64:ff9b::', 96],
  ] as const) {
    blocked.addSubnet(network, prefix, 'ipv6');
  }
  return blocked;
});

// Names that mean "this machine" or a cloud metadata service wherever they are resolved.
const blockedNames = new Set([
  'localhost',
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
]);

/**
 * Whether `host` (an IP address, bracketed or not, or a DNS name) is somewhere the service must not
 * connect to: an address in a blocked range, or a name that points inside wherever it is resolved. The
 * outbound guard asks it of IP literals and of every address a name resolves to; a URL given at write
 * time is refused with it before anything is stored. Other names can only be decided when resolved.
 */
export function isBlockedHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family) return blockedRanges().check(bare, family === 4 ? 'ipv4' : 'ipv6');
  const name = bare.toLowerCase().replace(/\.$/, '');
  return blockedNames.has(name) || name.endsWith('.localhost');
}

const metadataRanges = lazy(() => {
  const ranges = new BlockList();
  ranges.addSubnet('169.254.0.0', 16, 'ipv4');
  ranges.addSubnet('fe80::', 10, 'ipv6');
  ranges.addAddress('fd00:ec2::254', 'ipv6');
  return ranges;
});

/**
 * Whether `host` is link-local or a cloud metadata service: blocked like the others, and never worth
 * suggesting as an insecure registry to allow (what a deployment would expose is its credentials).
 */
export function isMetadataHost(host: string): boolean {
  const bare = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family) return metadataRanges().check(bare, family === 4 ? 'ipv4' : 'ipv6');
  const name = bare.toLowerCase().replace(/\.$/, '');
  return blockedNames.has(name) && name !== 'localhost';
}
