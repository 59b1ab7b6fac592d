// Shared by the benches: medians with their range, and the table printer.

/** Median of the samples (the mean of the middle two for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** A median with the samples' min–max, as printed in the tables. */
export function spread(values: number[], digits = 0): { median: number; min: number; max: number; text: string } {
  const m = median(values);
  const min = Math.min(...values);
  const max = Math.max(...values);
  return { median: m, min, max, text: `${m.toFixed(digits)} (${min.toFixed(digits)}–${max.toFixed(digits)})` };
}

/**
 * Runs each case once per round, the order reversed every other round, so that load on a shared machine
 * falls on every case alike; returns each case's samples.
 */
export async function interleaved<K extends string>(
  rounds: number,
  cases: Record<K, () => Promise<number>>,
): Promise<Record<K, number[]>> {
  const keys = Object.keys(cases) as K[];
  const samples = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < rounds; round++)
    for (const k of round % 2 ? [...keys].reverse() : keys) samples[k].push(await cases[k]());
  return samples;
}

export function printTable(rows: string[][]): void {
  const widths = rows.reduce<number[]>((w, r) => r.map((c, i) => Math.max(w[i] ?? 0, c.length)), []);
  console.log(
    rows
      .map((r) =>
        r
          .map((c, i) => c.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd(),
      )
      .join('\n'),
  );
}
