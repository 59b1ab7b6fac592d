import { ImportFailure, type ImportReason } from '../../../importing/import-failure.ts';
import type { RegistryCredentials } from '../../../ports-registry.ts';

/**
 * A registry's refusal or a failed exchange, decoded once: the HTTP status, the registry's own error
 * codes (`errors[].code` of the distribution spec, e.g. MANIFEST_UNKNOWN, UNAUTHORIZED, TOOMANYREQUESTS),
 * whether trying again may help, and the underlying error. It is an ImportFailure, so the domain reads
 * the OpenShift reason and `transient` without knowing about HTTP.
 * https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes
 */
export class RegistryError extends ImportFailure {
  /** The HTTP status, when the registry answered. */
  readonly status: number | undefined;
  /** The registry's error codes, in the order it sent them. */
  readonly codes: readonly string[];

  constructor(
    reason: ImportReason,
    message: string,
    options: {
      status?: number | undefined;
      codes?: readonly string[];
      transient?: boolean;
      retryAfterSeconds?: number | undefined;
      cause?: unknown;
    } = {},
  ) {
    super(reason, message, { transient: options.transient, retryAfterSeconds: options.retryAfterSeconds });
    this.status = options.status;
    this.codes = options.codes ?? [];
    if (options.cause !== undefined) this.cause = options.cause;
  }
}

/** Statuses a later try may get past: rate limits, timeouts and server errors. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** The `errors[].code` values of a distribution error body; none when the body is not one. */
export function errorCodes(body: string): string[] {
  try {
    const errors = (JSON.parse(body) as { errors?: unknown }).errors;
    return Array.isArray(errors)
      ? errors.map((e) => (e && typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : ''))
      : [];
  } catch {
    return [];
  }
}

/** A registry's non-success answer as a RegistryError with the reason OpenShift uses. */
export function registryErrorOf(
  status: number,
  body: string,
  what: string,
  retryAfterMs: number | undefined,
): RegistryError {
  const codes = errorCodes(body);
  const retryAfterSeconds = retryAfterMs === undefined ? undefined : Math.ceil(retryAfterMs / 1000);
  const transient = isTransientStatus(status) || codes.includes('TOOMANYREQUESTS');
  const common = { status, codes, transient };
  if (status === 429 || codes.includes('TOOMANYREQUESTS'))
    return new RegistryError(
      'RateLimited',
      `the registry ${what} is rate limiting requests (HTTP ${status})${retryAfterSeconds !== undefined ? `; retry after ${retryAfterSeconds}s` : ''}`,
      { ...common, retryAfterSeconds },
    );
  if (status === 404) return new RegistryError('NotFound', `${what}: ${codes[0] ?? 'not found'}`, common);
  if (status === 401)
    return new RegistryError('Unauthorized', `you may not have access to the container image "${what}"`, common);
  if (status === 403) return new RegistryError('Forbidden', `the registry refused access to ${what}`, common);
  if (status >= 500)
    return new RegistryError('InternalError', `the registry ${what} answered HTTP ${status}`, {
      ...common,
      retryAfterSeconds,
    });
  return new RegistryError('InternalError', `the registry ${what} answered HTTP ${status} ${codes.join(', ')}`.trim(), {
    ...common,
  });
}

/** Credentials refused, or none given where the registry wants some. */
export function unauthorizedError(what: string, credentials: RegistryCredentials | undefined): RegistryError {
  return credentials
    ? new RegistryError('Unauthorized', `incorrect username or password for image "${what}"`, { transient: false })
    : new RegistryError('Unauthorized', `you may not have access to the container image "${what}"`, {
        transient: false,
      });
}

/** Bytes that do not hash to the digest they were asked by. */
export function integrityError(what: string, expected: string, actual: string): RegistryError {
  return new RegistryError(
    'BadRequest',
    `content integrity error: the content retrieved from ${what} has digest ${actual}, not ${expected}`,
    { transient: false },
  );
}

/**
 * A failure below HTTP (refused address, timeout, reset, abort) as a RegistryError; `hint` is appended to
 * a refusal by the outbound guard, to say how an operator allows the registry.
 */
export function transportError(error: unknown, where: string, hint?: string): RegistryError {
  if (error instanceof RegistryError) return error;
  const err = error as { code?: string; name?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = err.code ?? err.cause?.code ?? '';
  if (code === 'EBLOCKEDADDRESS') {
    const message = err.message ?? err.cause?.message ?? 'address not allowed';
    return new RegistryError('Forbidden', hint ? `${message}; ${hint}` : message, { transient: false, cause: error });
  }
  if (err.name === 'AbortError' || code === 'UND_ERR_ABORTED')
    return new RegistryError('InternalError', `the import of ${where} was stopped: it ran out of time`, {
      cause: error,
    });
  if (code.includes('TIMEOUT'))
    return new RegistryError('InternalError', `timed out talking to ${where} (${code})`, { cause: error });
  return new RegistryError('InternalError', `could not reach ${where}: ${code || err.message || 'connection failed'}`, {
    cause: error,
  });
}
