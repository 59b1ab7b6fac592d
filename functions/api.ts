import { createApiHandler } from './lib/api-handler.ts';
import { createDependencies } from './lib/composition-root.ts';
import { loadConfig } from './lib/config.ts';

/** The HTTPS API behind API Gateway: every route of functions/lib/routes.ts. */
export const handler = createApiHandler(createDependencies(loadConfig()));
