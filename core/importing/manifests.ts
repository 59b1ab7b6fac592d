import { ImportFailure } from './import-failure.ts';
import { isImageManifest, isIndex } from './media-types.ts';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string; variant?: string };
  annotations?: Record<string, string>;
}

export type Manifest =
  | { kind: 'image'; mediaType: string; config: Descriptor; layers: Descriptor[] }
  | { kind: 'index'; mediaType: string; manifests: Descriptor[] };

const digestPattern = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

function descriptor(value: unknown): Descriptor | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const d = value as Record<string, unknown>;
  if (typeof d.digest !== 'string' || !digestPattern.test(d.digest) || typeof d.size !== 'number') return undefined;
  const platform = d.platform as Record<string, unknown> | undefined;
  return {
    mediaType: typeof d.mediaType === 'string' ? d.mediaType : '',
    digest: d.digest,
    size: d.size,
    ...(platform && typeof platform.os === 'string' && typeof platform.architecture === 'string'
      ? {
          platform: {
            os: platform.os,
            architecture: platform.architecture,
            ...(typeof platform.variant === 'string' ? { variant: platform.variant } : {}),
          },
        }
      : {}),
    ...(d.annotations && typeof d.annotations === 'object'
      ? { annotations: d.annotations as Record<string, string> }
      : {}),
  };
}

/** Reads an image manifest or an index (OCI or Docker schema 2); anything else is refused with a clear reason. */
export function parseManifest(body: Uint8Array, mediaType: string, where: string): Manifest {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(Buffer.from(body).toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new ImportFailure('BadRequest', `the manifest of ${where} is not JSON`, { transient: false });
  }
  const type = mediaType || (typeof json.mediaType === 'string' ? json.mediaType : '');
  if (isIndex(type) || (!type && Array.isArray(json.manifests))) {
    const manifests = Array.isArray(json.manifests) ? json.manifests.map(descriptor) : [];
    if (manifests.some((m) => !m))
      throw new ImportFailure('BadRequest', `the manifest list of ${where} has an invalid entry`, { transient: false });
    return { kind: 'index', mediaType: type, manifests: manifests as Descriptor[] };
  }
  if (isImageManifest(type) || (!type && json.config)) {
    const config = descriptor(json.config);
    const layers = Array.isArray(json.layers) ? json.layers.map(descriptor) : [];
    if (!config || layers.some((l) => !l))
      throw new ImportFailure('BadRequest', `the manifest of ${where} has an invalid config or layer`, {
        transient: false,
      });
    return { kind: 'image', mediaType: type, config, layers: layers as Descriptor[] };
  }
  throw new ImportFailure(
    'BadRequest',
    `the manifest of ${where} has the unsupported media type "${type}" (schema 1 manifests are not supported)`,
    { transient: false },
  );
}

/** Platform entries of an index, without attestation and other non-platform entries (Docker Hub's unknown/unknown). */
export function platformEntries(manifests: Descriptor[]): Descriptor[] {
  return manifests.filter(
    (m) =>
      m.platform &&
      m.platform.os !== 'unknown' &&
      m.platform.architecture !== 'unknown' &&
      m.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest',
  );
}

/**
 * The child a Legacy import takes from an index (reference §5.3): the preferred platform from the tag's
 * annotations, else linux/amd64, else the first platform entry.
 */
export function pickPlatform(
  manifests: Descriptor[],
  prefer: { os?: string | undefined; architecture?: string | undefined },
): Descriptor | undefined {
  const entries = platformEntries(manifests);
  const match = (os: string | undefined, arch: string | undefined) =>
    entries.find((m) => (!os || m.platform?.os === os) && (!arch || m.platform?.architecture === arch));
  return (
    (prefer.os || prefer.architecture ? match(prefer.os, prefer.architecture) : undefined) ??
    match('linux', 'amd64') ??
    entries[0]
  );
}
