import type { Dispatcher } from 'undici';
import dispatchRequest from 'undici/lib/api/api-request.js';
import buildConnector from 'undici/lib/core/connect.js';
import Agent from 'undici/lib/dispatcher/agent.js';
import retryInterceptor from 'undici/lib/interceptor/retry.js';

export type { Dispatcher };
/**
 * The parts of undici our outbound HTTP uses, taken from the files that define them. undici's package index
 * is CommonJS and loads every part it has (fetch, WebSocket, EventSource, caches, mocks, proxies), which no
 * bundler can leave out: through the index the registry client's chunk was 742 KiB; through these files,
 * about 240 KiB (README "Performance").
 */
export { Agent, buildConnector, retryInterceptor };

/**
 * undici's top-level `request(url, options)` with a required dispatcher: the index's version derives the
 * origin and path from the URL and calls the dispatcher's `request`, which the index installs on every
 * dispatcher's prototype; here that method is called directly.
 */
export function request(
  url: URL | string,
  options: Omit<Dispatcher.RequestOptions, 'origin' | 'path'> & { dispatcher: Dispatcher },
): Promise<Dispatcher.ResponseData<unknown>> {
  const { dispatcher, ...rest } = options;
  const target = typeof url === 'string' ? new URL(url) : url;
  return dispatchRequest.call(dispatcher, {
    ...rest,
    origin: target.origin,
    path: `${target.pathname}${target.search}`,
  });
}
