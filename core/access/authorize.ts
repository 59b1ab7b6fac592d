import { UnauthorizedError } from '../errors.ts';
import type { Principal } from './principal.ts';

export type Verb = 'get' | 'list' | 'create' | 'update' | 'delete';
export type Resource = 'imagestreams' | 'imagestreamtags' | 'imagestreamimages' | 'imagestreamimports' | 'imagetriggers' | 'secrets';

export interface AccessRequest {
  verb: Verb;
  resource: Resource;
  namespace: string;
}

/**
 * The one place every request is authorised. Today any authenticated principal may act in any
 * namespace; per-namespace roles (issue 6) plug in here without touching callers.
 */
export async function authorize(principal: Principal | undefined, _request: AccessRequest): Promise<Principal> {
  if (!principal || principal.user === '') throw new UnauthorizedError();
  return principal;
}
