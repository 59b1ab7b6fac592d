import { ago } from '../describe/human-duration.ts';
import type { ImageStream, ImageStreamTag, NamedTagEventList } from '../streams/types.ts';
import type { ImageTrigger } from '../triggers/types.ts';
import type { TableColumn } from './build-table.ts';

// The columns `oc get` prints, as openshift-apiserver's image printers compute them (reference §4).

const nameColumn = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace.',
  priority: 0,
};

/** `oc get is`: NAME, IMAGE REPOSITORY, TAGS, UPDATED. */
export const imageStreamColumns: readonly TableColumn<ImageStream>[] = [
  { ...nameColumn, cell: (stream) => stream.metadata.name },
  {
    name: 'Image Repository',
    type: 'string',
    format: '',
    description: "The repository from which the stream's images can be pulled.",
    priority: 0,
    cell: (stream) => imageRepository(stream),
  },
  {
    name: 'Tags',
    type: 'string',
    format: '',
    description: 'Human readable list of tags.',
    priority: 0,
    cell: (stream) => tagsUpToWidth(stream.status?.tags ?? [], 40),
  },
  {
    name: 'Updated',
    type: 'string',
    format: '',
    description: 'Last update time.',
    priority: 0,
    cell: (stream, now) => {
      const newest = newestCreated(stream.status?.tags ?? []);
      return newest === undefined ? '' : ago(new Date(newest).toISOString(), now);
    },
  },
];

/** `oc get istag`: NAME, IMAGE REFERENCE, UPDATED, and IMAGE NAME with -o wide. */
export const imageStreamTagColumns: readonly TableColumn<ImageStreamTag>[] = [
  { ...nameColumn, cell: (tag) => tag.metadata.name },
  {
    name: 'Image Reference',
    type: 'string',
    format: '',
    description: "The pull spec of the tag's current image.",
    priority: 0,
    cell: (tag) => tag.image?.dockerImageReference ?? '',
  },
  {
    name: 'Updated',
    type: 'string',
    format: '',
    description: 'Last update time.',
    priority: 0,
    cell: (tag, now) => (tag.metadata.creationTimestamp ? ago(tag.metadata.creationTimestamp, now) : ''),
  },
  {
    name: 'Image Name',
    type: 'string',
    format: '',
    description: "The digest of the tag's current image.",
    priority: 1,
    cell: (tag) => tag.image?.metadata?.name ?? '',
  },
];

/** imagetriggers (ours): NAME, SOURCE, TARGET, LAST IMAGE, FIRED, and PAUSED with -o wide. */
export const imageTriggerColumns: readonly TableColumn<ImageTrigger>[] = [
  { ...nameColumn, cell: (trigger) => trigger.metadata.name },
  {
    name: 'Source',
    type: 'string',
    format: '',
    description: 'The ImageStreamTag the trigger watches, as namespace/stream:tag.',
    priority: 0,
    cell: (trigger) => `${trigger.spec.from.namespace}/${trigger.spec.from.name}`,
  },
  {
    name: 'Target',
    type: 'string',
    format: '',
    description: 'The kind of target the trigger fires.',
    priority: 0,
    cell: (trigger) => Object.keys(trigger.spec.target)[0] ?? '',
  },
  {
    name: 'Last Image',
    type: 'string',
    format: '',
    description: 'The image the trigger last fired for.',
    priority: 0,
    cell: (trigger) => trigger.status.lastTriggeredImage ?? '',
  },
  {
    name: 'Fired',
    type: 'string',
    format: '',
    description: 'When the trigger last fired.',
    priority: 0,
    cell: (trigger, now) => (trigger.status.lastTriggeredAt ? ago(trigger.status.lastTriggeredAt, now) : ''),
  },
  {
    name: 'Paused',
    type: 'boolean',
    format: '',
    description: 'Whether the trigger is paused.',
    priority: 1,
    cell: (trigger) => trigger.spec.paused,
  },
];

function imageRepository(stream: ImageStream): string {
  const status = stream.status as ImageStream['status'] & { publicDockerImageRepository?: string };
  if (status?.publicDockerImageRepository) return status.publicDockerImageRepository;
  return stream.spec?.dockerImageRepository || status?.dockerImageRepository || '';
}

function newestCreated(tags: readonly NamedTagEventList[]): number | undefined {
  let newest: number | undefined;
  for (const tag of tags) {
    const created = tag.items[0]?.created;
    if (created === undefined) continue;
    const time = Date.parse(created);
    if (newest === undefined || time > newest) newest = time;
  }
  return newest;
}

/** Tag names, most recently updated first (whole seconds; ties by name), cut to about `width` characters. */
function tagsUpToWidth(tags: readonly NamedTagEventList[], width: number): string {
  const updated = (tag: NamedTagEventList) => {
    const created = tag.items[0]?.created;
    return created === undefined ? Number.NEGATIVE_INFINITY : Math.floor(Date.parse(created) / 1000);
  };
  const sorted = [...tags]
    .sort((a, b) => updated(b) - updated(a) || (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0))
    .map((tag) => tag.tag);
  const margin = Math.floor(width / 4);
  let remaining = width;
  let shown = sorted.length;
  for (const [index, name] of sorted.entries()) {
    remaining -= name.length + 1;
    if (remaining >= 0) continue;
    if (index === 0) {
      shown = 1;
      break;
    }
    // A tag that overflows by at most a quarter of the width is kept when it fills a gap larger than that quarter.
    if (margin < remaining + name.length && margin >= -remaining) continue;
    shown = index;
    break;
  }
  const hidden = sorted.length - shown;
  const list = sorted.slice(0, shown).join(',');
  return hidden > 0 ? `${list} + ${hidden} more...` : list;
}
