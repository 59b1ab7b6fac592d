import type { Image } from '../streams/types.ts';
import { ago } from './human-duration.ts';
import { alignTabs } from './tab-writer.ts';

const none = '<none>';
const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

/** go-units HumanSize: decimal units, four significant digits. */
export function humanSize(bytes: number): string {
  let size = bytes;
  let unit = 0;
  while (size >= 1000 && unit < units.length - 1) {
    size /= 1000;
    unit++;
  }
  return `${Number(size.toPrecision(4))}${units[unit]}`;
}

interface ImageConfigView {
  Created?: string;
  Author?: string;
  Architecture?: string;
  Size?: number;
  Config?: {
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    WorkingDir?: string;
    User?: string;
    ExposedPorts?: Record<string, unknown>;
    Labels?: Record<string, string> | null;
    Env?: string[] | null;
    Volumes?: Record<string, unknown> | null;
  };
}

/** Text of `oc describe istag` / `isimage` for one image (reference §7.2). */
export function describeImage(image: Image, created: string, now: Date): string {
  const meta = (image.dockerImageMetadata ?? {}) as ImageConfigView;
  const config = meta.Config ?? {};
  const layers = image.dockerImageLayers ?? [];
  const lines = [
    `Image Name:\t${image.metadata.name || none}`,
    `Docker Image:\t${image.dockerImageReference || none}`,
    `Name:\t${image.metadata.name || none}`,
    `Created:\t${ago(created, now)}`,
    ...mapLines('Annotations', image.metadata.annotations ?? {}),
  ];
  if (layers.length === 0) {
    lines.push(`Layer Size:\t${meta.Size ? humanSize(meta.Size) : none}`);
  } else {
    lines.push(
      `Image Size:\t${humanSize(meta.Size ?? layers.reduce((sum, l) => sum + l.size, 0))} in ${layers.length} layers`,
    );
    for (const [i, layer] of layers.entries()) {
      lines.push(`${i === 0 ? 'Layers:' : ''}\t${humanSize(layer.size)}\t${layer.name}`);
    }
  }
  lines.push(
    `Image Created:\t${meta.Created ? ago(meta.Created, now) : none}`,
    `Author:\t${meta.Author || none}`,
    `Arch:\t${meta.Architecture || none}`,
  );
  for (const [i, m] of (image.dockerImageManifests ?? []).entries()) {
    lines.push(
      `${i === 0 ? 'Manifests:' : ''}\t${m.os}/${m.architecture}${m.variant ? `/${m.variant}` : ''}\t${m.digest}`,
    );
  }
  const entrypoint = config.Entrypoint?.join(' ') ?? '';
  const command = config.Cmd?.join(' ') ?? '';
  if (entrypoint) lines.push(`Entrypoint:\t${entrypoint}`);
  if (command || !entrypoint) lines.push(`Command:\t${command || none}`);
  lines.push(`Working Dir:\t${config.WorkingDir || none}`, `User:\t${config.User || none}`);
  lines.push(
    `Exposes Ports:\t${
      Object.keys(config.ExposedPorts ?? {})
        .sort()
        .join(', ') || none
    }`,
  );
  lines.push(...mapLines('Docker Labels', config.Labels ?? {}));
  lines.push(...listLines('Environment', config.Env ?? []));
  if (config.Volumes && Object.keys(config.Volumes).length)
    lines.push(...listLines('Volumes', Object.keys(config.Volumes).sort()));
  return `${alignTabs(lines.join('\n'))}\n`;
}

function mapLines(label: string, map: Record<string, string>): string[] {
  const keys = Object.keys(map).sort();
  return listLines(
    label,
    keys.map((k) => `${k}=${map[k]}`),
    keys.length > 0 || label === 'Docker Labels',
  );
}

function listLines(label: string, values: string[], show = true): string[] {
  if (!show) return [];
  if (values.length === 0) return [`${label}:\t${none}`];
  return values.map((v, i) => `${i === 0 ? `${label}:` : ''}\t${v}`);
}
