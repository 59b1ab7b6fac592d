// Types for the undici files core/adapters/http/undici-parts.ts imports directly: each is the CommonJS module
// behind the package index's export of the same name, so the index's types describe it.
declare module 'undici/lib/dispatcher/agent.js' {
  import { Agent } from 'undici';
  export default Agent;
}

declare module 'undici/lib/api/api-request.js' {
  import type { Dispatcher } from 'undici';
  /** Dispatcher.prototype.request as the index installs it: `this` is the dispatcher. */
  export default function request(
    this: Dispatcher,
    options: Dispatcher.RequestOptions,
  ): Promise<Dispatcher.ResponseData<unknown>>;
}

declare module 'undici/lib/interceptor/retry.js' {
  import { interceptors } from 'undici';

  const retry: typeof interceptors.retry;
  export default retry;
}

declare module 'undici/lib/core/connect.js' {
  import { buildConnector } from 'undici';
  export default buildConnector;
}
