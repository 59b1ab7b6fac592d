import { BadRequestError } from '../../core/errors.ts';
import { WatchNotServedError } from '../../core/kube/errors.ts';
import type { ApiRoute, Operation } from './routes.ts';

/**
 * The operation of a GET with `?watch=true` (or `1`): the watch of the route's collection when its kind has the
 * watch verb; a clear 405 anywhere else, rather than an answer kubectl cannot read as a stream. Undefined when
 * no watch is asked for.
 */
export function watchOperation(
  route: ApiRoute,
  query: Readonly<Record<string, string | undefined>> | undefined,
): Operation | undefined {
  const value = query?.watch;
  if (route.method !== 'GET' || value === undefined || value === 'false' || value === '0' || value === '')
    return undefined;
  if (value !== 'true' && value !== '1')
    throw new BadRequestError(`watch: must be true or false, not ${JSON.stringify(value)}`, 'request.query');
  const resource = route.resource;
  const what = resource ? (resource.group ? `${resource.plural}.${resource.group}` : resource.plural) : route.path;
  if (!resource || !route.operation.endsWith('.list'))
    throw new WatchNotServedError(
      resource && route.operation.endsWith('.get')
        ? `watch a single ${what} object through its collection, with ?fieldSelector=metadata.name=<name>`
        : `${route.path} cannot be watched`,
    );
  if (!(resource.verbs as readonly string[]).includes('watch'))
    throw new WatchNotServedError(`${what} cannot be watched: the kind has no watch verb`);
  return `${resource.plural}.watch` as Operation;
}
