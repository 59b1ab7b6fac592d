import type { Image } from '../streams/types.ts';
import type { Descriptor, Manifest } from './manifests.ts';

interface ImageConfig {
  created?: string;
  author?: string;
  architecture?: string;
  os?: string;
  variant?: string;
  config?: {
    User?: string;
    ExposedPorts?: Record<string, unknown>;
    Env?: string[];
    Entrypoint?: string[];
    Cmd?: string[];
    Volumes?: Record<string, unknown>;
    WorkingDir?: string;
    Labels?: Record<string, string>;
  };
}

/** An Image (OpenShift's shape, docker metadata 1.0) for a single-platform manifest and its config blob. */
export function imageFromManifest(
  digest: string,
  pullSpec: string,
  manifest: Extract<Manifest, { kind: 'image' }>,
  configBytes: Uint8Array,
): Image {
  let config: ImageConfig = {};
  try {
    config = JSON.parse(Buffer.from(configBytes).toString('utf8')) as ImageConfig;
  } catch {
    // An unreadable config leaves the metadata empty; the digest and layers are still right.
  }
  const uniqueLayers = new Map(manifest.layers.map((l) => [l.digest, l.size]));
  const size = manifest.config.size + [...uniqueLayers.values()].reduce((sum, s) => sum + s, 0);
  const c = config.config ?? {};
  return {
    metadata: { name: digest, annotations: { 'image.openshift.io/dockerLayersOrder': 'ascending' } },
    dockerImageReference: pullSpec,
    dockerImageMetadata: {
      kind: 'DockerImage',
      apiVersion: 'image.openshift.io/1.0',
      Id: manifest.config.digest,
      ...(config.created ? { Created: config.created } : {}),
      ...(config.author ? { Author: config.author } : {}),
      ...(config.architecture ? { Architecture: config.architecture } : {}),
      ...(config.os ? { Os: config.os } : {}),
      ...(config.variant ? { Variant: config.variant } : {}),
      Config: {
        ...(c.User ? { User: c.User } : {}),
        ...(c.ExposedPorts ? { ExposedPorts: c.ExposedPorts } : {}),
        ...(c.Env ? { Env: c.Env } : {}),
        ...(c.Entrypoint ? { Entrypoint: c.Entrypoint } : {}),
        ...(c.Cmd ? { Cmd: c.Cmd } : {}),
        ...(c.Volumes ? { Volumes: c.Volumes } : {}),
        ...(c.WorkingDir ? { WorkingDir: c.WorkingDir } : {}),
        ...(c.Labels ? { Labels: c.Labels } : {}),
      },
      Size: size,
    },
    dockerImageMetadataVersion: '1.0',
    dockerImageManifestMediaType: manifest.mediaType,
    dockerImageLayers: manifest.layers.map((l) => ({ name: l.digest, size: l.size, mediaType: l.mediaType })),
  };
}

/** An Image for a manifest list / index: its platforms, no layers (reference §5.3 PreserveOriginal). */
export function imageFromIndex(
  digest: string,
  pullSpec: string,
  mediaType: string,
  platforms: Descriptor[],
  created: string,
): Image {
  return {
    metadata: { name: digest },
    dockerImageReference: pullSpec,
    dockerImageMetadata: { kind: 'DockerImage', apiVersion: 'image.openshift.io/1.0', Id: digest, Created: created },
    dockerImageMetadataVersion: '1.0',
    dockerImageManifestMediaType: mediaType,
    dockerImageManifests: platforms.map((m) => ({
      digest: m.digest,
      mediaType: m.mediaType,
      manifestSize: m.size,
      architecture: m.platform?.architecture ?? '',
      os: m.platform?.os ?? '',
      ...(m.platform?.variant ? { variant: m.platform.variant } : {}),
    })),
  };
}
