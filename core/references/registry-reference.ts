import {
  type DockerImageReference,
  parseDockerImageReference,
  registryHost,
  withDefaults,
} from './docker-image-reference.ts';

/** A repository as the wire sees it: where to connect and which path, with the token scope to pull from it. */
export interface RegistryRepository {
  /** host[:port] to connect to: `registry-1.docker.io` for Docker Hub, `127.0.0.1:5000`. */
  host: string;
  hostname: string;
  /** The port as spelled, when there is one (1-65535, checked by the parser). */
  port: number | undefined;
  /** The path on the registry: `library/python`. */
  repository: string;
  /** The pull scope of the distribution token spec: `repository:<repository>:pull`. */
  scope: string;
}

/** A pull spec parsed once, with Docker's defaults applied: the repository plus the tag and/or digest. */
export interface RegistryReference extends RegistryRepository {
  tag: string;
  digest: string;
  /** What the manifest endpoint is asked for: the digest when pinned, else the tag. */
  reference: string;
}

/** The wire view of a parsed pull spec (defaults applied: Docker Hub, `library/`, `latest`). */
export function registryReference(ref: DockerImageReference): RegistryReference {
  const normal = withDefaults(ref);
  const repository = registryRepository(
    registryHost(normal),
    [normal.namespace, normal.name].filter(Boolean).join('/'),
  );
  return { ...repository, tag: normal.tag, digest: normal.id, reference: normal.id || normal.tag };
}

/** Parses a pull spec for the wire; throws InvalidReferenceError as the parser does. */
export function parseRegistryReference(spec: string): RegistryReference {
  return registryReference(parseDockerImageReference(spec));
}

/** A repository on `host` (host[:port]). */
export function registryRepository(host: string, repository: string): RegistryRepository {
  const port = /:([0-9]+)$/.exec(host)?.[1];
  return {
    host,
    hostname: port === undefined ? host : host.slice(0, -(port.length + 1)),
    port: port === undefined ? undefined : Number(port),
    repository,
    scope: `repository:${repository}:pull`,
  };
}

/** `host/repository`, as messages name it. */
export function repositoryLabel(repo: RegistryRepository): string {
  return `${repo.host}/${repo.repository}`;
}
