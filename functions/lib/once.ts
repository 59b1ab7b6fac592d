/** Builds a dependency on first use: what most invocations never touch stays out of the cold start. */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
}
