import { ConflictError } from '../errors.ts';

/**
 * Re-runs a read-modify-write whose conditional write lost a race, with jittered backoff. Only for
 * writes the client sent without a resourceVersion: with one, the conflict is the client's to resolve.
 */
export async function retryOnConflict<T>(attempt: () => Promise<T>, attempts = 12): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ConflictError) || i >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(200, 5 * 2 ** i)));
    }
  }
}
