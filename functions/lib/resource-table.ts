import type { Resource, Verb } from '../../core/access/authorize.ts';
import type { TableColumn } from '../../core/kube/build-table.ts';
import {
  defaultColumns,
  imageStreamColumns,
  imageStreamTagColumns,
  imageTriggerColumns,
  namespaceColumns,
  receiverColumns,
  roleBindingColumns,
  secretColumns,
} from '../../core/kube/table-columns.ts';

/** Kubernetes API verbs, as discovery and `kubectl auth can-i` name them. */
export type KubeVerb = 'get' | 'list' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection' | 'watch';

/** A path below an object that answers something other than the object, like `pods/log`. */
export interface Subresource {
  name: string;
  verbs: readonly ['get'];
  /** The media type the subresource answers in. */
  produces: 'text/plain';
}

export interface ResourceDefinition {
  /** '' for the core group (served under /api/v1). */
  group: string;
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  shortNames: readonly string[];
  namespaced: boolean;
  /** The verbs served; the router derives its routes from them. */
  verbs: readonly KubeVerb[];
  categories: readonly string[];
  /** The name of the zod schema request bodies are validated with (OpenAPI generation maps it); none for read-only kinds. */
  schema: string | undefined;
  /** The columns of `kubectl get` (a meta.k8s.io Table), with how each cell is computed; [] for kinds never listed or got. */
  columns: readonly TableColumn<never>[];
  subresources: readonly Subresource[];
  /** What the access policy checks; undefined: any authenticated caller (self-subject reviews). */
  access: Resource | undefined;
  /** Kubernetes' own kinds, which kubectl patches with strategic merge only: served and listed in OpenAPI. */
  strategicMergePatch?: boolean;
}

const describe = { name: 'describe', verbs: ['get'], produces: 'text/plain' } as const satisfies Subresource;
const crud = ['create', 'delete', 'get', 'list', 'patch', 'update'] as const;
/** Kinds a watch can follow (local mode streams it; see functions/lib/watch-streams.ts). */
const watchable = [...crud, 'watch'] as const;

/**
 * Every kind the API serves, declared once: the router, discovery, sst.config.ts, the tests and the
 * OpenAPI documents read it. Verbs are sorted and list only what the service answers.
 */
export const resourceTable = [
  {
    group: 'image.openshift.io',
    version: 'v1',
    kind: 'ImageStream',
    listKind: 'ImageStreamList',
    plural: 'imagestreams',
    singular: 'imagestream',
    shortNames: ['is'],
    namespaced: true,
    verbs: watchable,
    categories: ['all'],
    schema: 'imageStreamSchema',
    columns: imageStreamColumns,
    subresources: [describe],
    access: 'imagestreams',
  },
  {
    group: 'image.openshift.io',
    version: 'v1',
    kind: 'ImageStreamTag',
    listKind: 'ImageStreamTagList',
    plural: 'imagestreamtags',
    singular: 'imagestreamtag',
    shortNames: ['istag'],
    namespaced: true,
    verbs: watchable,
    categories: [],
    schema: 'imageStreamTagSchema',
    columns: imageStreamTagColumns,
    subresources: [describe],
    access: 'imagestreamtags',
  },
  {
    group: 'image.openshift.io',
    version: 'v1',
    kind: 'ImageStreamImage',
    listKind: 'ImageStreamImageList',
    plural: 'imagestreamimages',
    singular: 'imagestreamimage',
    shortNames: ['isimage'],
    namespaced: true,
    verbs: ['get'],
    categories: [],
    schema: undefined,
    columns: defaultColumns,
    subresources: [],
    access: 'imagestreamimages',
  },
  {
    group: 'image.openshift.io',
    version: 'v1',
    kind: 'ImageStreamImport',
    listKind: 'ImageStreamImportList',
    plural: 'imagestreamimports',
    singular: 'imagestreamimport',
    shortNames: ['isi'],
    namespaced: true,
    verbs: ['create'],
    categories: [],
    schema: 'imageStreamImportSchema',
    columns: [],
    subresources: [],
    access: 'imagestreamimports',
  },
  {
    group: 'imagestreams.dev',
    version: 'v1',
    kind: 'ImageTrigger',
    listKind: 'ImageTriggerList',
    plural: 'imagetriggers',
    singular: 'imagetrigger',
    shortNames: [],
    namespaced: true,
    verbs: watchable,
    categories: [],
    schema: 'imageTriggerSchema',
    columns: imageTriggerColumns,
    subresources: [],
    access: 'imagetriggers',
  },
  {
    group: 'imagestreams.dev',
    version: 'v1',
    kind: 'Receiver',
    listKind: 'ReceiverList',
    plural: 'receivers',
    singular: 'receiver',
    shortNames: [],
    namespaced: true,
    verbs: crud,
    categories: [],
    schema: 'receiverSchema',
    columns: receiverColumns,
    subresources: [],
    access: 'receivers',
  },
  {
    // Create-only, as Kubernetes' TokenRequest: the answer holds credentials, so nothing is stored to get or list.
    group: 'imagestreams.dev',
    version: 'v1',
    kind: 'RegistryToken',
    listKind: 'RegistryTokenList',
    plural: 'registrytokens',
    singular: 'registrytoken',
    shortNames: [],
    namespaced: true,
    verbs: ['create'],
    categories: [],
    schema: 'registryTokenSchema',
    columns: [],
    subresources: [],
    access: 'registrytokens',
  },
  {
    group: '',
    version: 'v1',
    kind: 'Namespace',
    listKind: 'NamespaceList',
    plural: 'namespaces',
    singular: 'namespace',
    shortNames: ['ns'],
    namespaced: false,
    verbs: ['create', 'get', 'list'],
    categories: [],
    schema: 'namespaceSchema',
    columns: namespaceColumns,
    subresources: [],
    access: 'namespaces',
    strategicMergePatch: true,
  },
  {
    group: '',
    version: 'v1',
    kind: 'Secret',
    listKind: 'SecretList',
    plural: 'secrets',
    singular: 'secret',
    shortNames: [],
    namespaced: true,
    verbs: crud,
    categories: [],
    schema: 'secretSchema',
    columns: secretColumns,
    subresources: [],
    access: 'secrets',
    strategicMergePatch: true,
  },
  {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    kind: 'RoleBinding',
    listKind: 'RoleBindingList',
    plural: 'rolebindings',
    singular: 'rolebinding',
    shortNames: [],
    namespaced: true,
    verbs: crud,
    categories: [],
    schema: 'roleBindingSchema',
    columns: roleBindingColumns,
    subresources: [],
    access: 'rolebindings',
    strategicMergePatch: true,
  },
  {
    group: 'authorization.k8s.io',
    version: 'v1',
    kind: 'SelfSubjectAccessReview',
    listKind: 'SelfSubjectAccessReviewList',
    plural: 'selfsubjectaccessreviews',
    singular: 'selfsubjectaccessreview',
    shortNames: [],
    namespaced: false,
    verbs: ['create'],
    categories: [],
    schema: 'selfSubjectAccessReviewSchema',
    columns: [],
    subresources: [],
    access: undefined,
  },
] as const satisfies readonly ResourceDefinition[];

export type ResourceEntry = (typeof resourceTable)[number];

/** A group and version the API serves, with its path prefix (`/api/v1` for the core group). */
export interface GroupVersion {
  group: string;
  version: string;
  prefix: string;
}

export function groupVersionPrefix(group: string, version: string): string {
  return group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
}

/** Every group version of the table, in the table's order. */
export const groupVersions: readonly GroupVersion[] = [
  ...new Map(
    resourceTable.map((r) => [
      `${r.group}/${r.version}`,
      { group: r.group, version: r.version, prefix: groupVersionPrefix(r.group, r.version) },
    ]),
  ).values(),
];

/**
 * The access-policy verb a Kubernetes verb needs: a patch is an update and a watch a list, so that
 * a route and `kubectl auth can-i` always ask the policy the same question.
 */
export const accessVerbs: Record<KubeVerb, Verb> = {
  get: 'get',
  list: 'list',
  watch: 'list',
  create: 'create',
  update: 'update',
  patch: 'update',
  delete: 'delete',
  deletecollection: 'delete',
};

/** The resource named by group and plural (or a short name, as `kubectl auth can-i` may pass it). */
export function findResource(group: string, resource: string): ResourceEntry | undefined {
  return resourceTable.find(
    (r) => r.group === group && (r.plural === resource || (r.shortNames as readonly string[]).includes(resource)),
  );
}
