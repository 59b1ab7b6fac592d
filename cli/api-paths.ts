// The Kubernetes path layout of the service (DESIGN.md §4), as a client sees it.

const image = '/apis/image.openshift.io/v1';
const own = '/apis/imagestreams.dev/v1';

const segment = (value: string) => encodeURIComponent(value);

/** Paths of the resources the CLI uses, in one namespace. */
export function apiPaths(namespace: string) {
  const ns = `namespaces/${segment(namespace)}`;
  return {
    imageStreams: `${image}/${ns}/imagestreams`,
    imageStream: (name: string) => `${image}/${ns}/imagestreams/${segment(name)}`,
    imageStreamDescribe: (name: string) => `${image}/${ns}/imagestreams/${segment(name)}/describe`,
    imageStreamTags: `${image}/${ns}/imagestreamtags`,
    // `:` stays literal in the path, as oc sends it.
    imageStreamTag: (stream: string, tag: string) =>
      `${image}/${ns}/imagestreamtags/${segment(stream)}:${segment(tag)}`,
    imageStreamTagDescribe: (stream: string, tag: string) =>
      `${image}/${ns}/imagestreamtags/${segment(stream)}:${segment(tag)}/describe`,
    imageStreamImage: (stream: string, id: string) =>
      `${image}/${ns}/imagestreamimages/${segment(stream)}@${segment(id)}`,
    imageStreamImports: `${image}/${ns}/imagestreamimports`,
    imageTriggers: `${own}/${ns}/imagetriggers`,
    imageTrigger: (name: string) => `${own}/${ns}/imagetriggers/${segment(name)}`,
  };
}
