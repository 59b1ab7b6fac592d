import { ConflictError, NotFoundError } from '../errors.ts';
import type { TagEvent, TagRecord } from './types.ts';

/** True when `id` names `image`: the full digest, or a prefix of it with or without the algorithm. */
export function matchesImageId(image: string, id: string): boolean {
  if (image === '' || id === '') return false;
  if (image.startsWith(id)) return true;
  const hex = image.slice(image.indexOf(':') + 1);
  return !id.includes(':') && hex.startsWith(id);
}

/** The one history entry whose image matches `id` across a stream's tags (reference §1.5 ImageStreamImage). */
export function findImageInHistory(tags: TagRecord[], id: string, streamName: string): TagEvent {
  const matches = new Map<string, TagEvent>();
  for (const tag of tags) {
    for (const item of tag.items) {
      if (matchesImageId(item.image, id) && !matches.has(item.image)) matches.set(item.image, item);
    }
  }
  if (matches.size > 1) {
    throw new ConflictError('imagestreamimages', `${streamName}@${id}`, `multiple images match the prefix "${id}"`);
  }
  const [found] = matches.values();
  if (!found)
    throw new NotFoundError(
      'imagestreamimages',
      `${streamName}@${id}`,
      `image "${id}" not found in the history of image stream "${streamName}"`,
    );
  return found;
}
