import type { ListRequest } from '../../kube/list-request.ts';

/** How many store items to read at a time for a page: a stream is its record and a few tag items. */
export function itemsToRead(request: ListRequest): number | undefined {
  return request.limit === undefined ? undefined : Math.min(1000, 4 * (request.limit + 1));
}
