import { BadRequestError, NotFoundError } from '../../errors.ts';
import { findImageInHistory, matchesImageId } from '../../streams/find-image.ts';
import { requireNamespace, splitStreamImage } from '../../streams/names.ts';
import { toImageStreamImage } from '../../streams/objects.ts';
import type { ImageStreamImage, StreamState } from '../../streams/types.ts';
import { loadStream } from './load-stream.ts';
import { requireStream } from './require-stream.ts';
import type { StreamPorts } from './stream-ports.ts';

type Ports = Pick<StreamPorts, 'streams' | 'images' | 'historyLimit'>;

/** GET imagestreamimages/{name}@{id}: an image of the stream's history, by digest or a prefix of it. */
export async function getImageStreamImage(ports: Ports, namespace: string, isimage: string): Promise<ImageStreamImage> {
  requireNamespace(namespace);
  const parts = splitStreamImage(isimage);
  if (!parts) throw new BadRequestError('ImageStreamImages must be retrieved with <name>@<id>');
  requireStream(namespace, parts.stream);
  const state = await loadStream(ports, namespace, parts.stream);
  try {
    const event = findImageInHistory(state.tags, parts.id, parts.stream);
    return toImageStreamImage(state.stream, event, await ports.images.getImage(event.image));
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    // A platform image of a manifest list in the history is part of the stream too (reference §1.5).
    const child = await findPlatformImage(ports, state, parts.id);
    if (!child) throw error;
    return child;
  }
}

/** Looks for `id` among the platform images of the manifest lists in a stream's history. */
async function findPlatformImage(ports: Ports, state: StreamState, id: string): Promise<ImageStreamImage | undefined> {
  const lists = new Map(
    state.tags
      .flatMap((t) => t.items)
      .filter((i) => i.image)
      .map((i) => [i.image, i]),
  );
  for (const [digest, event] of lists) {
    const list = await ports.images.getImage(digest);
    const child = list?.dockerImageManifests?.find((m) => matchesImageId(m.digest, id));
    if (!child) continue;
    const pullSpec = event.dockerImageReference.replace(/@[^@]+$/, `@${child.digest}`);
    return toImageStreamImage(
      state.stream,
      { ...event, image: child.digest, dockerImageReference: pullSpec },
      await ports.images.getImage(child.digest),
    );
  }
  return undefined;
}
