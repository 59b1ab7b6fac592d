import { InvalidReferenceError } from './docker-image-reference.ts';

/**
 * The service's own registry (OpenShift's integrated registry): ECR in AWS, the CNCF registry in local mode.
 * Every stream has the repository `<host>/<prefix>/<namespace>/<stream>` there (no prefix when empty).
 */
export interface IntegratedRegistry {
  /** host[:port]: `123456789012.dkr.ecr.eu-west-1.amazonaws.com`, `127.0.0.1:5000`. */
  host: string;
  /** Path before the namespace, without slashes at either end: `imagestreams`, or empty. */
  prefix: string;
}

// A repository path component as the distribution spec allows it; ECR's own rule is no looser.
const component = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const hostPattern =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::(\d{1,5}))?$/;

/** Reads `host[:port][/prefix]`, the form of the IMAGESTREAMS_REGISTRY setting. */
export function parseIntegratedRegistry(text: string): IntegratedRegistry {
  const [host = '', ...path] = text.split('/');
  const port = hostPattern.exec(host)?.[1];
  if (!hostPattern.test(host) || (port !== undefined && (Number(port) < 1 || Number(port) > 65535))) {
    throw new InvalidReferenceError(`"${text}" does not start with a registry host[:port]`);
  }
  const bad = path.find((part) => !component.test(part));
  if (bad !== undefined) throw new InvalidReferenceError(`"${bad}" is not a repository path component`);
  return { host, prefix: path.join('/') };
}

/**
 * Whether `host` (from a reference, a notification or a setting) is the integrated registry's. Host names
 * are compared without case, as DNS does; the one place this is decided, since it chooses whose credentials
 * reach a registry and which sources a namespace may import.
 */
export function isIntegratedHost(registry: Pick<IntegratedRegistry, 'host'> | undefined, host: string): boolean {
  return registry !== undefined && host.toLowerCase() === registry.host.toLowerCase();
}

/** The stream's repository path on the registry: `imagestreams/demo/python`. */
export function streamRepositoryPath(registry: IntegratedRegistry, namespace: string, stream: string): string {
  return [registry.prefix, namespace, stream].filter(Boolean).join('/');
}

/** The stream's pull spec without tag or digest (`status.dockerImageRepository`); empty when there is no registry. */
export function streamRepository(registry: IntegratedRegistry | undefined, namespace: string, stream: string): string {
  return registry ? `${registry.host}/${streamRepositoryPath(registry, namespace, stream)}` : '';
}

/** The stream a repository path of the registry belongs to, if any: the inverse of streamRepositoryPath. */
export function streamOfRepository(
  registry: IntegratedRegistry,
  path: string,
): { namespace: string; name: string } | undefined {
  const head = registry.prefix ? `${registry.prefix}/` : '';
  if (!path.startsWith(head)) return undefined;
  const parts = path.slice(head.length).split('/');
  if (parts.length !== 2 || !parts.every((part) => component.test(part))) return undefined;
  const [namespace = '', name = ''] = parts;
  return { namespace, name };
}

/**
 * Where the registry keeps images it caches from upstream registries (ECR's pull-through cache rules):
 * `<prefix>-cache`, beside the streams' `<prefix>/<namespace>/<stream>` repositories, never among them.
 */
export function pullThroughRoot(registry: IntegratedRegistry): string {
  return `${registry.prefix || 'imagestreams'}-cache`;
}
