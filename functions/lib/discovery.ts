import { createHash } from 'node:crypto';
import { lazy } from '../../core/lazy.ts';
import { admits, type MediaRange } from './media-types.ts';
import { groupVersionPrefix, groupVersions, type ResourceDefinition, resourceTable } from './resource-table.ts';

/** A document served as is: its body, media type and entity tag, computed once per instance. */
export interface StaticDocument {
  body: string;
  contentType: string;
  etag: string;
}

function document(value: unknown, contentType = 'application/json'): StaticDocument {
  const body = JSON.stringify(value);
  return { body, contentType, etag: `"${createHash('sha256').update(body).digest('hex')}"` };
}

const resources: readonly ResourceDefinition[] = resourceTable;
const inGroupVersion = (group: string, version: string) =>
  resources.filter((r) => r.group === group && r.version === version);
const groupVersionName = (group: string, version: string) => (group === '' ? version : `${group}/${version}`);
const optional = (key: string, list: readonly string[]) => (list.length ? { [key]: list } : {});

/** meta/v1 APIResourceList for one group version: `kubectl api-resources` on a server without aggregated discovery. */
function resourceList(group: string, version: string) {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: groupVersionName(group, version),
    resources: inGroupVersion(group, version).flatMap((r) => [
      {
        name: r.plural,
        singularName: r.singular,
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: r.verbs,
        ...optional('shortNames', r.shortNames),
        ...optional('categories', r.categories),
      },
      // Like pods/log: a subresource is listed under the kind of its parent, whatever it answers.
      ...r.subresources.map((sub) => ({
        name: `${r.plural}/${sub.name}`,
        singularName: '',
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: sub.verbs,
      })),
    ]),
  };
}

/** apidiscovery.k8s.io APIGroupDiscovery: one group, every resource with its verbs, in one document. */
function groupDiscovery(group: string) {
  const versions = groupVersions.filter((gv) => gv.group === group);
  return {
    metadata: { name: group },
    versions: versions.map(({ version }) => ({
      version,
      freshness: 'Current',
      resources: inGroupVersion(group, version).map((r) => {
        const responseKind = { group, version, kind: r.kind };
        return {
          resource: r.plural,
          responseKind,
          scope: r.namespaced ? 'Namespaced' : 'Cluster',
          singularResource: r.singular,
          verbs: r.verbs,
          ...optional('shortNames', r.shortNames),
          ...optional('categories', r.categories),
          ...(r.subresources.length
            ? { subresources: r.subresources.map((sub) => ({ subresource: sub.name, responseKind, verbs: sub.verbs })) }
            : {}),
        };
      }),
    })),
  };
}

const aggregatedVersions = ['v2', 'v2beta1'] as const;
type AggregatedVersion = (typeof aggregatedVersions)[number];

function aggregated(groups: readonly string[], version: AggregatedVersion): StaticDocument {
  return document(
    {
      kind: 'APIGroupDiscoveryList',
      apiVersion: `apidiscovery.k8s.io/${version}`,
      metadata: {},
      items: groups.map(groupDiscovery),
    },
    // client-go treats the answer as aggregated only when its Content-Type says so.
    `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`,
  );
}

const namedGroups = [...new Set(groupVersions.filter((gv) => gv.group !== '').map((gv) => gv.group))];

const legacyApi = lazy(() => document({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] }));
const legacyApis = lazy(() =>
  document({
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: namedGroups.map((name) => {
      const versions = groupVersions
        .filter((gv) => gv.group === name)
        .map((gv) => ({ groupVersion: `${name}/${gv.version}`, version: gv.version }));
      return { name, versions, preferredVersion: versions[0] };
    }),
  }),
);
const aggregatedApi = Object.fromEntries(aggregatedVersions.map((v) => [v, lazy(() => aggregated([''], v))]));
const aggregatedApis = Object.fromEntries(aggregatedVersions.map((v) => [v, lazy(() => aggregated(namedGroups, v))]));

const resourceLists = lazy(
  () =>
    new Map(
      groupVersions.map((gv) => [
        groupVersionPrefix(gv.group, gv.version),
        document(resourceList(gv.group, gv.version)),
      ]),
    ),
);

/** The APIResourceList at `path` (`/api/v1`, `/apis/<group>/<version>`). */
export function resourceListDocument(path: string): StaticDocument | undefined {
  return resourceLists().get(path);
}

/**
 * `/api` or `/apis` in the first form the Accept entries admit, in their order: aggregated discovery
 * (v2, v2beta1) or the legacy APIVersions / APIGroupList; undefined when none is admitted.
 */
export function rootDiscovery(path: '/api' | '/apis', accept: readonly MediaRange[]): StaticDocument | undefined {
  const legacy = path === '/api' ? legacyApi() : legacyApis();
  if (accept.length === 0) return legacy;
  for (const range of accept) {
    const version = aggregatedVersions.find(
      (v) =>
        range.type === 'application/json' &&
        range.params.g === 'apidiscovery.k8s.io' &&
        range.params.v === v &&
        range.params.as === 'APIGroupDiscoveryList',
    );
    if (version) return (path === '/api' ? aggregatedApi : aggregatedApis)[version]?.();
    if (admits(range, 'application/json')) return legacy;
  }
  return undefined;
}

/** The Kubernetes release whose API conventions the service follows. */
export const kubernetesVersion = { major: '1', minor: '32' };

/**
 * `/version` (apimachinery's version.Info, every field a string). Its minor is what the machine image's
 * kubectl dispatcher picks a kubectl by; gitVersion says this is not a kube-apiserver.
 */
export const versionDocument = lazy(() =>
  document({
    ...kubernetesVersion,
    gitVersion: `v${kubernetesVersion.major}.${kubernetesVersion.minor}.0+imagestreams`,
    gitCommit: '',
    gitTreeState: '',
    buildDate: '',
    goVersion: '',
    compiler: '',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  }),
);
