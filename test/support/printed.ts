/**
 * What the process prints on stdout, where the logger writes its JSON lines, from now until `restore()`:
 * each write is kept in `chunks` and passed on to the test output unless it matches `hide` (the audit log
 * would fill the output).
 */
export function captureStdout(hide?: RegExp): { chunks: string[]; restore(): void } {
  const chunks: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    chunks.push(String(chunk));
    if (hide?.test(String(chunk))) return true;
    return write.call(process.stdout, chunk, ...(rest as [])) as boolean;
  }) as typeof process.stdout.write;
  return {
    chunks,
    restore: () => {
      process.stdout.write = write;
    },
  };
}

/** The lines printed on stdout and stderr while `action` runs, kept out of the test output. */
export async function printedDuring(action: () => Promise<unknown>): Promise<string[]> {
  const lines: string[] = [];
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
  for (const name of ['stdout', 'stderr'] as const)
    process[name].write = ((chunk: string | Uint8Array) => {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      return true;
    }) as typeof process.stdout.write;
  try {
    await action();
  } finally {
    process.stdout.write = writes.stdout;
    process.stderr.write = writes.stderr;
  }
  return lines;
}
