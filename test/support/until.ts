/**
 * Polls `probe` until it answers something other than undefined, and answers that; gives up after a bounded
 * number of tries (a failure to say what never came, not a measure of how fast it came).
 */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, tries = 600): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}
