/**
 * Columns as kubectl prints them (Go tabwriter with minwidth 6, padding 3, spaces): every column but
 * the last is padded to its widest cell plus three spaces.
 */
export function printTable(headers: string[], rows: string[][]): string {
  const all = [headers, ...rows];
  const widths = headers.map((_, column) => Math.max(6, ...all.map((row) => [...(row[column] ?? '')].length + 3)));
  return all
    .map((row) =>
      row
        .map((cell, column) =>
          column === row.length - 1 ? cell : cell.padEnd((widths[column] ?? 0) + cell.length - [...cell].length),
        )
        .join(''),
    )
    .map((line) => `${line}\n`)
    .join('');
}
