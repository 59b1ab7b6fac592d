import { randomBytes } from 'node:crypto';
import { mediaTypes } from '../../core/importing/media-types.ts';
import { type RunningRegistry, sha256 } from './registry.ts';

export interface PushedImage {
  digest: string;
  mediaType: string;
  configDigest: string;
  manifestSize: number;
  layers: { digest: string; size: number }[];
  size: number;
}

export interface PushedIndex {
  digest: string;
  mediaType: string;
  children: (PushedImage & { platform: { os: string; architecture: string } })[];
}

function authHeader(registry: RunningRegistry, token?: string): Record<string, string> {
  if (token) return { authorization: `Bearer ${token}` };
  return registry.user
    ? {
        authorization: `Basic ${Buffer.from(`${registry.user.username}:${registry.user.password}`).toString('base64')}`,
      }
    : {};
}

async function pushToken(registry: RunningRegistry, repository: string): Promise<string | undefined> {
  const probe = await fetch(`${registry.url}/v2/`);
  await probe.arrayBuffer();
  const challenge = probe.headers.get('www-authenticate') ?? '';
  if (!challenge.startsWith('Bearer')) return undefined;
  const realm = /realm="([^"]+)"/.exec(challenge)?.[1] ?? '';
  const service = /service="([^"]+)"/.exec(challenge)?.[1] ?? '';
  const response = await fetch(`${realm}?service=${service}&scope=repository:${repository}:pull,push`, {
    headers: authHeader(registry),
  });
  return ((await response.json()) as { token: string }).token;
}

async function pushBlob(
  registry: RunningRegistry,
  repository: string,
  data: Buffer,
  headers: Record<string, string>,
): Promise<string> {
  const digest = sha256(data);
  const start = await fetch(`${registry.url}/v2/${repository}/blobs/uploads/`, { method: 'POST', headers });
  await start.arrayBuffer();
  if (start.status !== 202) throw new Error(`blob upload start: ${start.status}`);
  const location = new URL(start.headers.get('location') ?? '', registry.url);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, {
    method: 'PUT',
    headers: { ...headers, 'content-type': 'application/octet-stream' },
    body: data,
  });
  await put.arrayBuffer();
  if (put.status !== 201) throw new Error(`blob upload: ${put.status}`);
  return digest;
}

async function pushManifest(
  registry: RunningRegistry,
  repository: string,
  reference: string,
  mediaType: string,
  body: string,
  headers: Record<string, string>,
): Promise<string> {
  const response = await fetch(`${registry.url}/v2/${repository}/manifests/${reference}`, {
    method: 'PUT',
    headers: { ...headers, 'content-type': mediaType },
    body,
  });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`manifest push ${repository}:${reference}: ${response.status} ${text}`);
  return response.headers.get('docker-content-digest') ?? sha256(body);
}

/** Pushes a synthetic single-platform image (config + two random layers) over the registry's HTTP API. */
export async function pushImage(
  registry: RunningRegistry,
  repository: string,
  tag: string | undefined,
  options: {
    format?: 'docker' | 'oci';
    platform?: { os: string; architecture: string };
    labels?: Record<string, string>;
  } = {},
): Promise<PushedImage> {
  const headers = authHeader(registry, await pushToken(registry, repository));
  const platform = options.platform ?? { os: 'linux', architecture: 'amd64' };
  const oci = options.format === 'oci';
  const layers = [randomBytes(1024), randomBytes(2048)];
  const layerDigests = [];
  for (const layer of layers)
    layerDigests.push({ digest: await pushBlob(registry, repository, layer, headers), size: layer.length });
  const config = Buffer.from(
    JSON.stringify({
      created: '2026-11-01T12:00:00Z',
      author: 'imagestreams tests',
      architecture: platform.architecture,
      os: platform.os,
      config: {
        Env: ['PATH=/usr/bin', `UNIQUE=${randomBytes(4).toString('hex')}`],
        Cmd: ['python3'],
        Entrypoint: ['/entry.sh'],
        WorkingDir: '/app',
        ExposedPorts: { '8080/tcp': {} },
        Labels: options.labels ?? { vendor: 'tests' },
      },
      rootfs: { type: 'layers', diff_ids: layerDigests.map((l) => l.digest) },
    }),
  );
  const configDigest = await pushBlob(registry, repository, config, headers);
  const mediaType = oci ? mediaTypes.ociManifest : mediaTypes.dockerManifest;
  const layerType = oci
    ? 'application/vnd.oci.image.layer.v1.tar+gzip'
    : 'application/vnd.docker.image.rootfs.diff.tar.gzip';
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType,
    config: {
      mediaType: oci ? 'application/vnd.oci.image.config.v1+json' : 'application/vnd.docker.container.image.v1+json',
      size: config.length,
      digest: configDigest,
    },
    layers: layerDigests.map((l) => ({ mediaType: layerType, size: l.size, digest: l.digest })),
  });
  const digest = await pushManifest(registry, repository, tag ?? sha256(manifest), mediaType, manifest, headers);
  return {
    digest,
    mediaType,
    configDigest,
    manifestSize: Buffer.byteLength(manifest),
    layers: layerDigests,
    size: config.length + layerDigests.reduce((s, l) => s + l.size, 0),
  };
}

/** Pushes two platform images and an index (OCI) or manifest list (Docker) over them, plus an attestation entry as Docker Hub has. */
export async function pushIndex(
  registry: RunningRegistry,
  repository: string,
  tag: string,
  format: 'docker' | 'oci',
): Promise<PushedIndex> {
  const platforms = [
    { os: 'linux', architecture: 'amd64' },
    { os: 'linux', architecture: 'arm64' },
  ];
  const children = [];
  for (const platform of platforms)
    children.push({ ...(await pushImage(registry, repository, undefined, { format, platform })), platform });
  const headers = authHeader(registry, await pushToken(registry, repository));
  const mediaType = format === 'oci' ? mediaTypes.ociIndex : mediaTypes.dockerList;
  const manifests: unknown[] = children.map((c) => ({
    mediaType: c.mediaType,
    size: c.manifestSize,
    digest: c.digest,
    platform: c.platform,
  }));
  if (format === 'oci') {
    const attestation = await pushImage(registry, repository, undefined, {
      format: 'oci',
      platform: { os: 'unknown', architecture: 'unknown' },
    });
    manifests.push({
      mediaType: attestation.mediaType,
      size: attestation.manifestSize,
      digest: attestation.digest,
      platform: { os: 'unknown', architecture: 'unknown' },
      annotations: {
        'vnd.docker.reference.type': 'attestation-manifest',
        'vnd.docker.reference.digest': children[0]?.digest,
      },
    });
  }
  const body = JSON.stringify({ schemaVersion: 2, mediaType, manifests });
  const digest = await pushManifest(registry, repository, tag, mediaType, body, headers);
  return { digest, mediaType, children };
}

/**
 * Pushes an OCI index of `entries` distinct platform manifests that share one config and one layer (each
 * manifest differs by an annotation), so that a very wide index costs one manifest PUT per entry.
 */
export async function pushWideIndex(
  registry: RunningRegistry,
  repository: string,
  tag: string,
  entries: number,
): Promise<{ digest: string; children: string[] }> {
  const headers = authHeader(registry, await pushToken(registry, repository));
  const layer = randomBytes(512);
  const layerDigest = await pushBlob(registry, repository, layer, headers);
  const config = Buffer.from(
    JSON.stringify({
      created: '2026-11-01T12:00:00Z',
      architecture: 'amd64',
      os: 'linux',
      config: { Env: [`UNIQUE=${randomBytes(4).toString('hex')}`] },
      rootfs: { type: 'layers', diff_ids: [layerDigest] },
    }),
  );
  const configDigest = await pushBlob(registry, repository, config, headers);
  const children: { digest: string; size: number; n: number }[] = [];
  let next = 0;
  // A few PUTs at a time: the registry is on loopback and the index cannot be pushed before its children.
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < entries) {
        const n = next++;
        const body = JSON.stringify({
          schemaVersion: 2,
          mediaType: mediaTypes.ociManifest,
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', size: config.length, digest: configDigest },
          layers: [
            { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', size: layer.length, digest: layerDigest },
          ],
          annotations: { 'dev.imagestreams.entry': String(n) },
        });
        const digest = await pushManifest(registry, repository, sha256(body), mediaTypes.ociManifest, body, headers);
        children.push({ digest, size: Buffer.byteLength(body), n });
      }
    }),
  );
  children.sort((a, b) => a.n - b.n);
  const body = JSON.stringify({
    schemaVersion: 2,
    mediaType: mediaTypes.ociIndex,
    manifests: children.map((c) => ({
      mediaType: mediaTypes.ociManifest,
      size: c.size,
      digest: c.digest,
      platform: { os: 'linux', architecture: `arch${c.n}` },
    })),
  });
  const digest = await pushManifest(registry, repository, tag, mediaTypes.ociIndex, body, headers);
  return { digest, children: children.map((c) => c.digest) };
}

/** A cosign simple-signing payload naming `digest`, as `cosign sign` writes it (sigstore's payload.Cosign). */
export function simpleSigningPayload(repository: string, digest: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      critical: {
        identity: { 'docker-reference': repository },
        image: { 'docker-manifest-digest': digest },
        type: 'cosign container image signature',
      },
      optional: null,
    }),
  );
}

/**
 * Pushes cosign's classic signature manifest for `digest` under tag `sha256-<hex>.sig`: one layer per
 * signature, the payload as the layer blob, the base64 signature (and any other cosign annotation) on it.
 */
export async function pushCosignSignature(
  registry: RunningRegistry,
  repository: string,
  digest: string,
  signatures: { payload: Buffer; annotations: Record<string, string> }[],
): Promise<string> {
  const headers = authHeader(registry, await pushToken(registry, repository));
  const config = Buffer.from('{}');
  const configDigest = await pushBlob(registry, repository, config, headers);
  const layers = [];
  for (const s of signatures)
    layers.push({
      mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
      size: s.payload.length,
      digest: await pushBlob(registry, repository, s.payload, headers),
      annotations: s.annotations,
    });
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: mediaTypes.ociManifest,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', size: config.length, digest: configDigest },
    layers,
  });
  return pushManifest(
    registry,
    repository,
    `${digest.replace(':', '-')}.sig`,
    mediaTypes.ociManifest,
    manifest,
    headers,
  );
}

/**
 * Attaches `blob` to `subject` as an OCI 1.1 referrer the way a client does on a registry without the
 * referrers API (distribution 2.8): an artifact manifest with `subject`, listed in the index under the
 * referrers tag `sha256-<hex>`.
 */
export async function pushReferrer(
  registry: RunningRegistry,
  repository: string,
  subject: { digest: string; mediaType: string; size: number },
  artifactType: string,
  blob: Buffer,
): Promise<string> {
  const headers = authHeader(registry, await pushToken(registry, repository));
  const empty = Buffer.from('{}');
  const emptyDigest = await pushBlob(registry, repository, empty, headers);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: mediaTypes.ociManifest,
    artifactType,
    config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: emptyDigest, size: empty.length },
    layers: [
      { mediaType: artifactType, digest: await pushBlob(registry, repository, blob, headers), size: blob.length },
    ],
    subject,
  });
  const digest = await pushManifest(registry, repository, sha256(manifest), mediaTypes.ociManifest, manifest, headers);
  const index = JSON.stringify({
    schemaVersion: 2,
    mediaType: mediaTypes.ociIndex,
    manifests: [{ mediaType: mediaTypes.ociManifest, digest, size: Buffer.byteLength(manifest), artifactType }],
  });
  await pushManifest(registry, repository, subject.digest.replace(':', '-'), mediaTypes.ociIndex, index, headers);
  return digest;
}
