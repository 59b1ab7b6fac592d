export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/**
 * One frame of a watch stream: a `WatchEvent` as JSON ending in a newline, as kube-apiserver writes them
 * (client-go's JSON framer reads concatenated objects; the newline keeps `curl` output readable).
 */
export function watchEventLine(type: WatchEventType, object: unknown): string {
  return `${JSON.stringify({ type, object })}\n`;
}

/** The object of a BOOKMARK: only kind, apiVersion and the resourceVersion the watch has reached. */
export function bookmarkObject(apiVersion: string, kind: string, resourceVersion: string): unknown {
  return { apiVersion, kind, metadata: { resourceVersion } };
}
