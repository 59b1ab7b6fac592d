/** Where each namespaced kind lives, written out by hand (DESIGN.md §4) rather than read from the resource table. */
const prefixes: Record<string, string> = {
  imagestreams: '/apis/image.openshift.io/v1',
  imagestreamtags: '/apis/image.openshift.io/v1',
  imagestreamimages: '/apis/image.openshift.io/v1',
  imagestreamimports: '/apis/image.openshift.io/v1',
  imagetriggers: '/apis/imagestreams.dev/v1',
  receivers: '/apis/imagestreams.dev/v1',
  registrytokens: '/apis/imagestreams.dev/v1',
  secrets: '/api/v1',
  rolebindings: '/apis/rbac.authorization.k8s.io/v1',
};

/** `namespacedPath('demo', 'imagestreams/app')` → `/apis/image.openshift.io/v1/namespaces/demo/imagestreams/app`. */
export function namespacedPath(namespace: string, rest: string): string {
  const plural = rest.split('/')[0] ?? '';
  const prefix = prefixes[plural];
  if (!prefix) throw new Error(`no path known for ${plural}`);
  return `${prefix}/namespaces/${namespace}/${rest}`;
}
