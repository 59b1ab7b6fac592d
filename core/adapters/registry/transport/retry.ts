/** Answers worth another try; other 5xx (501, 505) will not change on a retry. */
const retryStatuses = new Set([429, 500, 502, 503, 504]);
/** Connection failures that happen before the registry saw the request, or that it cut short. */
const transientCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
]);

export interface RetryOptions {
  maxRetries: number;
  /** Backoff doubles from the minimum, capped; a Retry-After longer than the cap is not waited for. */
  minRetryDelayMs: number;
  maxRetryDelayMs: number;
}

type RetryError = Error & {
  statusCode?: number;
  code?: string;
  headers?: Record<string, string | string[] | undefined>;
};
type RetryContext = {
  state: { counter: number };
  opts: { method?: string; retryOptions?: { maxRetries?: number } };
};

/**
 * The policy undici's retry interceptor asks before trying again: idempotent reads only, transient
 * failures only (timeouts, 429, 5xx, resets), bounded, with jittered backoff, honouring `Retry-After`.
 */
export function retryPolicy(options: RetryOptions) {
  return (
    error: RetryError,
    { state, opts }: RetryContext,
    callback: (error: Error | null) => void,
  ): ReturnType<typeof setTimeout> | undefined => {
    const maxRetries = opts.retryOptions?.maxRetries ?? options.maxRetries;
    const transient =
      error.statusCode !== undefined ? retryStatuses.has(error.statusCode) : transientCodes.has(error.code ?? '');
    if (!transient || state.counter > maxRetries || !['GET', 'HEAD'].includes(opts.method ?? '')) {
      callback(error);
      return undefined;
    }
    const retryAfter = retryAfterMs(error.headers?.['retry-after']);
    if (retryAfter !== undefined && retryAfter > options.maxRetryDelayMs) {
      callback(error);
      return undefined;
    }
    const backoff = Math.min(options.minRetryDelayMs * 2 ** (state.counter - 1), options.maxRetryDelayMs);
    return setTimeout(() => callback(null), retryAfter ?? backoff * (0.5 + Math.random() / 2));
  };
}

/** `Retry-After` in milliseconds, from seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterMs(value: string | string[] | undefined): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
