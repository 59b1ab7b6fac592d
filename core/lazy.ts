/**
 * Builds a value on its first use and keeps it: what a cold start may never need (a request body's schema,
 * a discovery document) costs nothing until a request asks for it.
 */
export function lazy<T>(build: () => T): () => T {
  let built: T | undefined;
  return () => (built ??= build());
}
