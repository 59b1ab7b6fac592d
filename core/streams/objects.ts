import type {
  Image,
  ImageStream,
  ImageStreamImage,
  ImageStreamTag,
  NamedTagEventList,
  ObjectMeta,
  StreamRecord,
  StreamState,
  TagEvent,
  TagRecord,
  TagReference,
} from './types.ts';
import { imageApiVersion } from './types.ts';

/** A stream that a tag write or an import creates on first use: no metadata, generation 0 (the write advances it). */
export function emptyStream(namespace: string, name: string, uid: string, now: string): StreamRecord {
  return {
    namespace,
    name,
    uid,
    creationTimestamp: now,
    labels: {},
    annotations: {},
    lookupLocal: false,
    dockerImageRepository: '',
    generation: 0,
    version: 1,
  };
}

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function streamMeta(stream: StreamRecord): ObjectMeta {
  return {
    name: stream.name,
    namespace: stream.namespace,
    uid: stream.uid,
    resourceVersion: String(stream.version),
    generation: stream.generation,
    creationTimestamp: stream.creationTimestamp,
    ...(Object.keys(stream.labels).length ? { labels: stream.labels } : {}),
    ...(Object.keys(stream.annotations).length ? { annotations: stream.annotations } : {}),
  };
}

/**
 * A spec tag as OpenShift answers it: `annotations` null when empty (Go's encoding of a nil map without
 * omitempty) and `importPolicy.importMode` always set, to our default PreserveOriginal when the tag names none.
 */
function answeredSpecTag(spec: TagReference): TagReference {
  const annotations = spec.annotations && Object.keys(spec.annotations).length ? spec.annotations : null;
  return {
    ...spec,
    annotations,
    importPolicy: { ...spec.importPolicy, importMode: spec.importPolicy?.importMode || 'PreserveOriginal' },
  };
}

/**
 * The ImageStream as OpenShift serialises it: spec and status tags sorted by name, empty status entries left out;
 * `repository` is the stream's own in the integrated registry, empty without one.
 */
export function toImageStream(state: StreamState, repository = ''): ImageStream {
  const tags = [...state.tags].sort(byName);
  const status: NamedTagEventList[] = tags
    .filter((t) => t.items.length > 0 || t.conditions.length > 0)
    .map((t) => ({ tag: t.name, items: t.items, ...(t.conditions.length ? { conditions: t.conditions } : {}) }));
  return {
    apiVersion: imageApiVersion,
    kind: 'ImageStream',
    metadata: streamMeta(state.stream),
    spec: {
      lookupPolicy: { local: state.stream.lookupLocal },
      ...(state.stream.dockerImageRepository ? { dockerImageRepository: state.stream.dockerImageRepository } : {}),
      tags: tags.flatMap((t) => (t.spec ? [answeredSpecTag(t.spec)] : [])),
    },
    status: { dockerImageRepository: repository, tags: status },
  };
}

/** The Image for a history event, with what is known of it by digest. */
export function imageFor(
  event: TagEvent,
  known: Image | undefined,
  annotations: Record<string, string> | undefined,
  pullSpec: string,
): Image {
  const metaAnnotations = { ...known?.metadata.annotations, ...annotations };
  return {
    ...known,
    metadata: {
      ...known?.metadata,
      name: event.image,
      ...(Object.keys(metaAnnotations).length ? { annotations: metaAnnotations } : {}),
    },
    dockerImageReference: pullSpec,
    dockerImageMetadataVersion: known?.dockerImageMetadataVersion ?? '1.0',
  };
}

/** ImageStreamTag `<stream>:<tag>`; the caller has checked that the tag has an image. */
export function toImageStreamTag(stream: StreamRecord, tag: TagRecord, known: Image | undefined): ImageStreamTag {
  const head = tag.items[0];
  const annotations = tag.spec?.annotations ?? undefined;
  return {
    apiVersion: imageApiVersion,
    kind: 'ImageStreamTag',
    metadata: {
      name: `${stream.name}:${tag.name}`,
      namespace: stream.namespace,
      uid: stream.uid,
      resourceVersion: String(tag.version),
      creationTimestamp: head?.created ?? stream.creationTimestamp,
      // As openshift-apiserver's istags do: the stream's labels.
      ...(Object.keys(stream.labels).length ? { labels: stream.labels } : {}),
      ...(annotations && Object.keys(annotations).length ? { annotations } : {}),
    },
    tag: tag.spec && answeredSpecTag(tag.spec),
    generation: head?.generation ?? 0,
    lookupPolicy: { local: stream.lookupLocal },
    ...(tag.conditions.length ? { conditions: tag.conditions } : {}),
    image: head
      ? imageFor(head, known, annotations, head.dockerImageReference)
      : { metadata: { name: '' }, dockerImageReference: '' },
  };
}

export function toImageStreamImage(stream: StreamRecord, event: TagEvent, known: Image | undefined): ImageStreamImage {
  return {
    apiVersion: imageApiVersion,
    kind: 'ImageStreamImage',
    metadata: {
      name: `${stream.name}@${event.image}`,
      namespace: stream.namespace,
      uid: stream.uid,
      resourceVersion: String(stream.version),
      creationTimestamp: known?.metadata.creationTimestamp ?? event.created,
    },
    image: imageFor(event, known, stream.annotations, event.dockerImageReference),
  };
}
