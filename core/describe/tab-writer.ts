// Column alignment of Go's text/tabwriter as `oc describe` configures it (minwidth 0, tabwidth 8,
// padding 1, padchar '\t'): cells end with a tab; a column is aligned across the consecutive lines
// that have a cell in it, and padding is written as tabs.

const tabWidth = 8;
const padding = 1;

export function alignTabs(text: string): string {
  const lines = text.split('\n').map((line) => line.split('\t'));
  const out: string[] = [];
  const widths: number[] = [];

  const writeLines = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const cells = lines[i] ?? [];
      out.push(
        cells
          .map((cell, j) => {
            const width = widths[j];
            if (width === undefined || j === cells.length - 1) return cell;
            const cellWidth = Math.ceil(width / tabWidth) * tabWidth;
            return cell + '\t'.repeat(Math.ceil((cellWidth - [...cell].length) / tabWidth));
          })
          .join(''),
      );
    }
  };

  const format = (line0: number, line1: number) => {
    const column = widths.length;
    let start = line0;
    for (let i = line0; i < line1; i++) {
      if (column >= (lines[i]?.length ?? 0) - 1) continue;
      writeLines(start, i);
      start = i;
      let width = 0;
      for (; i < line1 && column < (lines[i]?.length ?? 0) - 1; i++) {
        width = Math.max(width, [...(lines[i]?.[column] ?? '')].length + padding);
      }
      widths.push(width);
      format(start, i);
      widths.pop();
      start = i;
      i--;
    }
    writeLines(start, line1);
  };

  format(0, lines.length);
  return out.join('\n');
}
