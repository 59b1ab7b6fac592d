/**
 * A failure the CLI reports as one line on stderr and exit code 1. `code` is stable for scripts and
 * tests; the message is what a user reads after `error: ` (or as the server's own words).
 */
export class CliError extends Error {
  readonly code: string;
  /** The line is printed as is, without the `error: ` prefix (the server's `Error from server (…)` lines). */
  readonly verbatim: boolean;

  constructor(code: string, message: string, options: { verbatim?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.code = code;
    this.verbatim = options.verbatim ?? false;
  }
}
