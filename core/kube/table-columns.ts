import { ago } from '../describe/human-duration.ts';
import type { Receiver } from '../receivers/types.ts';
import type { ImageStream, ImageStreamTag, NamedTagEventList } from '../streams/types.ts';
import type { ImageTrigger } from '../triggers/types.ts';
import type { TableColumn } from './build-table.ts';

// The columns `kubectl get` / `oc get` print for each kind, computed as kube-apiserver's and openshift-apiserver's
// printers compute them (reference §4). The resource table names these; nothing else declares columns.

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

/** Kubernetes' short age ("45s", "3m20s", "5h", "12d"), as kubectl's AGE columns print it (apimachinery's HumanDuration). */
export function shortAge(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8)
    return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 365 * 8)
    return days % 365 === 0 ? `${Math.floor(days / 365)}y` : `${Math.floor(days / 365)}y${days % 365}d`;
  return `${Math.floor(days / 365)}y`;
}

interface Described {
  metadata: { name: string; creationTimestamp?: string | undefined };
}

const ageColumn = {
  name: 'Age',
  type: 'string',
  format: '',
  description:
    'CreationTimestamp is a timestamp representing the server time when this object was created, shown as an age.',
  priority: 0,
  cell: (object: Described, now: Date) =>
    object.metadata.creationTimestamp
      ? shortAge(now.getTime() - Date.parse(object.metadata.creationTimestamp))
      : '<unknown>',
};

/** `kubectl get secrets`: NAME, TYPE, DATA, AGE. Data is write-only: a docker config secret holds one key; an Opaque secret's count is not known without opening it (null). */
export const secretColumns: readonly TableColumn<Described & { type: string }>[] = [
  { ...nameColumn, cell: (secret) => secret.metadata.name },
  {
    name: 'Type',
    type: 'string',
    format: '',
    description: 'Used to facilitate programmatic handling of secret data.',
    priority: 0,
    cell: (secret) => secret.type,
  },
  {
    name: 'Data',
    type: 'string',
    format: '',
    description: 'The number of keys in the secret’s data.',
    priority: 0,
    cell: (secret) => (secret.type === 'kubernetes.io/dockerconfigjson' ? 1 : null),
  },
  ageColumn,
];

/** `kubectl get receivers`: NAME, TYPE, LAST DELIVERY, AGE; WEBHOOK PATH with `-o wide`. */
export const receiverColumns: readonly TableColumn<Receiver>[] = [
  { ...nameColumn, cell: (receiver) => receiver.metadata.name },
  {
    name: 'Type',
    type: 'string',
    format: '',
    description: 'The registry that sends the notifications.',
    priority: 0,
    cell: (receiver) => receiver.spec.type,
  },
  {
    name: 'Last Delivery',
    type: 'string',
    format: '',
    description: 'The outcome of the last notification accepted.',
    priority: 0,
    cell: (receiver) => receiver.status.lastDelivery?.outcome ?? '',
  },
  ageColumn,
  {
    name: 'Webhook Path',
    type: 'string',
    format: '',
    description: 'Where the registry posts its notifications.',
    priority: 1,
    cell: (receiver) => receiver.status.webhookPath,
  },
];

/** `kubectl get namespaces`: NAME, STATUS, AGE. */
export const namespaceColumns: readonly TableColumn<Described & { status?: { phase?: string } }>[] = [
  { ...nameColumn, cell: (namespace) => namespace.metadata.name },
  {
    name: 'Status',
    type: 'string',
    format: '',
    description: 'The status of the namespace.',
    priority: 0,
    cell: (namespace) => namespace.status?.phase ?? '',
  },
  ageColumn,
];

type Binding = Described & {
  roleRef: { kind: string; name: string };
  subjects: { kind: string; name: string }[];
};
const subjectsOf = (binding: Binding, kind: string) =>
  binding.subjects
    .filter((s) => s.kind === kind)
    .map((s) => s.name)
    .join(', ');

/** `kubectl get rolebindings`: NAME, ROLE, AGE, and USERS, GROUPS, SERVICEACCOUNTS with -o wide. */
export const roleBindingColumns: readonly TableColumn<Binding>[] = [
  { ...nameColumn, cell: (binding) => binding.metadata.name },
  {
    name: 'Role',
    type: 'string',
    format: '',
    description: 'RoleRef is the role the binding grants.',
    priority: 0,
    cell: (binding) => `${binding.roleRef.kind}/${binding.roleRef.name}`,
  },
  ageColumn,
  {
    name: 'Users',
    type: 'string',
    format: '',
    description: 'Users in the binding.',
    priority: 1,
    cell: (binding) => subjectsOf(binding, 'User'),
  },
  {
    name: 'Groups',
    type: 'string',
    format: '',
    description: 'Groups in the binding.',
    priority: 1,
    cell: (binding) => subjectsOf(binding, 'Group'),
  },
  {
    name: 'ServiceAccounts',
    type: 'string',
    format: '',
    description: 'ServiceAccounts in the binding.',
    priority: 1,
    cell: (binding) => subjectsOf(binding, 'ServiceAccount'),
  },
];

/** Kinds without a printer of their own: NAME and CREATED AT, as kube-apiserver's default table. */
export const defaultColumns: readonly TableColumn<Described>[] = [
  { ...nameColumn, cell: (object) => object.metadata.name },
  {
    name: 'Created At',
    type: 'date',
    format: '',
    description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
    priority: 0,
    cell: (object) => object.metadata.creationTimestamp ?? null,
  },
];
