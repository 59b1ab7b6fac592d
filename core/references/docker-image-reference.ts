// Grammar of docker/distribution's reference package, with OpenShift's split of the path into
// namespace and name (library-go pkg/image/reference). See reference §2. Beyond the grammar, ports
// must be 1-65535 and digests must have their algorithm's length: both are refused here, at write time,
// rather than failing later inside an import or a history write.

import { digestProblem } from './digest.ts';

const pathComponent = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const host = `(?:${domainComponent}(?:\\.${domainComponent})*|\\[[0-9a-fA-F:.]+\\])`;
const domain = `${host}(?::[0-9]+)?`;
const tagPattern = '[\\w][\\w.-]{0,127}';
const digestPattern = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';

const referenceRegExp = new RegExp(
  `^((?:${domain}/)?${pathComponent}(?:/${pathComponent})*)(?::(${tagPattern}))?(?:@(${digestPattern}))?$`,
);
const anyCaseReferenceRegExp = new RegExp(referenceRegExp.source.replaceAll('[a-z0-9]', '[a-zA-Z0-9]'));
const pathComponentRegExp = new RegExp(`^${pathComponent}$`);

const maxRepositoryLength = 255;
const dockerHub = 'docker.io';
const dockerHubAliases = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** A parsed pull spec: `[registry/][namespace/]name[:tag][@id]`, spelled as the user wrote it. */
export interface DockerImageReference {
  registry: string;
  namespace: string;
  name: string;
  tag: string;
  id: string;
}

export class InvalidReferenceError extends Error {}

/** Parses a pull spec without applying defaults; throws InvalidReferenceError with a user-facing message. */
export function parseDockerImageReference(spec: string): DockerImageReference {
  const match = referenceRegExp.exec(spec);
  if (!match) {
    if (anyCaseReferenceRegExp.test(spec)) throw new InvalidReferenceError('repository name must be lowercase');
    throw new InvalidReferenceError('invalid reference format');
  }
  const [, repository = '', tag = '', id = ''] = match;
  if (repository.length > maxRepositoryLength) {
    throw new InvalidReferenceError(`repository name must not be more than ${maxRepositoryLength} characters`);
  }
  if (id) {
    const problem = digestProblem(id);
    if (problem) throw new InvalidReferenceError(problem);
  }
  const parts = repository.split('/');
  let registry = '';
  const first = parts[0] ?? '';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first;
    parts.shift();
    const port = /:([0-9]+)$/.exec(registry)?.[1];
    if (port !== undefined && !(Number(port) >= 1 && Number(port) <= 65535))
      throw new InvalidReferenceError(`port ${port} is out of range: a registry port is 1 to 65535`);
  }
  // The grammar lets an uppercase first component through as a host; when it is not one, it is a path.
  if (!parts.every((p) => pathComponentRegExp.test(p)))
    throw new InvalidReferenceError('repository name must be lowercase');
  const name = parts.length > 1 ? parts.slice(1).join('/') : (parts[0] ?? '');
  const namespace = parts.length > 1 ? (parts[0] ?? '') : '';
  return { registry, namespace, name, tag, id };
}

export function isDockerHub(registry: string): boolean {
  return registry === '' || dockerHubAliases.has(registry);
}

/** Applies the docker client's defaults: Docker Hub, `library/` for official images, tag `latest` when there is no id. */
export function withDefaults(ref: DockerImageReference): DockerImageReference {
  const registry = ref.registry === '' ? dockerHub : ref.registry;
  const namespace = isDockerHub(registry) && ref.namespace === '' ? 'library' : ref.namespace;
  const tag = ref.tag === '' && ref.id === '' ? 'latest' : ref.tag;
  return { registry, namespace, name: ref.name, tag, id: ref.id };
}

/** The host to connect to: Docker Hub's aliases all serve from registry-1.docker.io. */
export function registryHost(ref: DockerImageReference): string {
  return isDockerHub(ref.registry) ? 'registry-1.docker.io' : ref.registry;
}

/** `[registry/][namespace/]name`, as spelled. */
export function repositoryName(ref: DockerImageReference): string {
  return [ref.registry, ref.namespace, ref.name].filter((p) => p !== '').join('/');
}

/** The full pull spec as spelled: repository, then `:tag` and/or `@id`. */
export function exactReference(ref: DockerImageReference): string {
  return repositoryName(ref) + (ref.tag ? `:${ref.tag}` : '') + (ref.id ? `@${ref.id}` : '');
}

/** The pull spec of an imported image: the user's spelling of the repository, pinned to the digest. */
export function pinnedReference(ref: DockerImageReference, digest: string): string {
  return `${repositoryName(ref)}@${digest}`;
}
