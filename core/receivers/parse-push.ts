import * as z from 'zod/mini';
import { ImageStreamsError } from '../errors.ts';
import { lazy } from '../lazy.ts';
import type { ReceiverType } from './types.ts';
import type { Headers } from './verify-delivery.ts';

/** What a push notification says happened: a repository (host/path as the sender spells it), maybe a tag and a digest. A hint, never the truth. */
export interface PushHint {
  repository: string;
  tag?: string;
  digest?: string;
}

/** A delivery whose body is not what its type sends; answered 400 with no detail. */
export class PushPayloadError extends ImageStreamsError {
  constructor() {
    super('hooks.bad_payload', 'BadRequest', 'the payload could not be read');
  }
}

// Each sender's payload, built by the first delivery (lazy): a cold start builds none of them.
const payloads = lazy(() => {
  const name = z.string().check(z.minLength(1), z.maxLength(512));
  const optionalName = z.optional(z.nullable(z.string().check(z.maxLength(512))));
  const digestLike = z.optional(z.nullable(z.string().check(z.maxLength(200))));

  // Shapes as each sender documents them (see shared/reference/registry-webhooks.md); unknown fields are ignored.
  const dockerhub = z.object({ repository: z.object({ repo_name: name }), push_data: z.object({ tag: optionalName }) });
  const quay = z.object({ docker_url: name, updated_tags: z.array(name).check(z.maxLength(100)) });
  const harborResources = z.array(z.object({ resource_url: name, tag: optionalName, digest: digestLike }));
  const harbor = z.object({
    type: z.string(),
    event_data: z.optional(z.object({ resources: harborResources })),
    data: z.optional(z.object({ resources: harborResources })),
  });
  const githubPackage = z.object({
    name,
    package_type: z.optional(z.string()),
    owner: z.object({ login: name }),
    package_version: z.optional(
      z.nullable(
        z.object({
          package_url: optionalName,
          container_metadata: z.optional(
            z.nullable(z.object({ tag: z.optional(z.nullable(z.object({ name: optionalName, digest: digestLike }))) })),
          ),
        }),
      ),
    ),
  });
  const github = z.object({
    action: z.string(),
    package: z.optional(githubPackage),
    registry_package: z.optional(githubPackage),
  });
  const distributionEvent = z.object({
    action: z.string(),
    target: z.optional(z.object({ repository: optionalName, tag: optionalName, digest: digestLike })),
    request: z.optional(z.object({ host: optionalName })),
  });
  const distribution = z.object({ events: z.array(distributionEvent).check(z.maxLength(1000)) });
  const artifactory = z.object({
    domain: z.string(),
    event_type: z.string(),
    data: z.object({ image_name: name, tag: optionalName, sha256: digestLike }),
  });
  const acr = z.object({
    action: z.string(),
    target: z.object({ repository: name, tag: optionalName, digest: digestLike }),
    request: z.object({ host: name }),
  });
  const generic = z.object({ repository: name, tag: optionalName, digest: digestLike });
  return { dockerhub, quay, harbor, github, distribution, artifactory, acr, generic };
});

/**
 * The pushes a delivery names, read with its type's schema: an empty list for what is not a push (pulls,
 * deletes, pings, blob uploads), PushPayloadError for a body that is not that type's JSON. `registry` is
 * the receiver's host prefix for senders that name none (Artifactory).
 */
export function parsePush(type: ReceiverType, headers: Headers, body: string, registry?: string): PushHint[] {
  const json = readJson(type, headers, body);
  const { dockerhub, quay, harbor, github, distribution, artifactory, acr, generic } = payloads();
  const read = <T>(schema: z.ZodMiniType<T>): T => {
    const result = schema.safeParse(json);
    if (!result.success) throw new PushPayloadError();
    return result.data;
  };
  switch (type) {
    case 'dockerhub': {
      const p = read(dockerhub);
      return [hint(`docker.io/${p.repository.repo_name}`, p.push_data.tag)];
    }
    case 'quay': {
      const p = read(quay);
      return p.updated_tags.map((tag) => hint(p.docker_url, tag));
    }
    case 'harbor': {
      const p = read(harbor);
      // Harbor 2 (`PUSH_ARTIFACT`, or CloudEvents `harbor.artifact.pushed`) and Harbor 1 (`pushImage`).
      if (!['PUSH_ARTIFACT', 'pushImage', 'harbor.artifact.pushed'].includes(p.type)) return [];
      return (p.event_data ?? p.data)?.resources.map((r) => harborHint(r.resource_url, r.tag, r.digest)) ?? [];
    }
    case 'github': {
      if (headers['x-github-event'] !== 'package' && headers['x-github-event'] !== 'registry_package') return [];
      const p = read(github);
      const pkg = p.package ?? p.registry_package;
      if (!pkg || !['published', 'updated'].includes(p.action)) return [];
      if (pkg.package_type && !/^(container|docker)$/i.test(pkg.package_type)) return [];
      const version = pkg.package_version;
      const tag = version?.container_metadata?.tag;
      const fromUrl = version?.package_url ? stripReference(version.package_url) : undefined;
      return [
        hint(fromUrl ?? `ghcr.io/${pkg.owner.login}/${pkg.name}`.toLowerCase(), tag?.name, tag?.digest ?? undefined),
      ];
    }
    case 'gitlab':
    case 'distribution': {
      // Blob pushes, pulls, mounts, deletes and manifests pushed by digest only are noise: a push of a tag is what moves one.
      const p = read(distribution);
      return p.events
        .filter((e) => e.action === 'push' && e.target?.tag && e.target.repository && e.request?.host)
        .map((e) => hint(`${e.request?.host}/${e.target?.repository}`, e.target?.tag, e.target?.digest));
    }
    case 'artifactory': {
      const p = read(artifactory);
      if (p.domain !== 'docker' || p.event_type !== 'pushed' || !registry) return [];
      const sha = p.data.sha256 ? `sha256:${p.data.sha256.replace(/^sha256:/, '')}` : undefined;
      return [hint(`${registry}/${p.data.image_name}`, p.data.tag, sha)];
    }
    case 'acr': {
      const p = read(acr);
      if (p.action !== 'push') return [];
      return [hint(`${p.request.host}/${p.target.repository}`, p.target.tag, p.target.digest)];
    }
    case 'generic-hmac': {
      const p = read(generic);
      return [hint(p.repository, p.tag, p.digest)];
    }
  }
}

function readJson(type: ReceiverType, headers: Headers, body: string): unknown {
  let text = body;
  // GitHub may be set to send its JSON form-encoded, in the `payload` field.
  if (type === 'github' && (headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded'))
    text = new URLSearchParams(body).get('payload') ?? '';
  try {
    return JSON.parse(text);
  } catch {
    throw new PushPayloadError();
  }
}

function hint(repository: string, tag?: string | null, digest?: string | null): PushHint {
  return { repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** Harbor's `resource_url` is `<host>/<repo>:<tag>` or `<host>/<repo>@<digest>`; its `tag` is the digest when untagged. */
function harborHint(url: string, tag?: string | null, digest?: string | null): PushHint {
  const byDigest = tag?.includes(':') ?? false;
  return hint(stripReference(url), byDigest ? undefined : tag, digest ?? (byDigest ? tag : undefined));
}

/** `host/repo:tag` or `host/repo@digest` → `host/repo` (a colon after the last slash starts a tag). */
function stripReference(spec: string): string {
  const withoutDigest = spec.split('@')[0] ?? '';
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  return colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
}
