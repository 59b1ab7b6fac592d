/**
 * The Status of the single ERROR event a watch from a too-old resourceVersion gets (then the stream ends):
 * an HTTP code in a body, so decided here at the edge.
 */
export function expiredWatchStatus(message: string): unknown {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'Expired', code: 410 };
}
