import { buildTable, type Table, type TableColumn } from '../core/kube/build-table.ts';
import type { KubeClient } from './kube-client.ts';
import { printTable } from './print-table.ts';

const tableAccept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

/**
 * Reads a list or an object as a meta.k8s.io/v1 Table, the server-side printing kubectl uses. A
 * server that answers JSON instead gets the same columns computed here from the shared column
 * definitions, so the output does not depend on which the server did.
 */
export async function fetchTable<T extends { metadata?: unknown }>(
  client: KubeClient,
  path: string,
  columns: readonly TableColumn<T>[],
  now: Date,
): Promise<Table> {
  const answer = await client.json<Table | { kind?: string; items?: T[] }>('GET', path, { accept: tableAccept });
  if (answer.kind === 'Table') return answer as Table;
  const list = answer as { items?: T[] };
  const objects = Array.isArray(list.items) ? list.items : [answer as T];
  return buildTable({ columns, objects, now, includeObject: 'None' });
}

/** Prints a Table as kubectl does: priority-0 columns (all with -o wide), headers in capitals. */
export function formatTable(table: Table, wide: boolean): string {
  const shown = table.columnDefinitions.map((c, i) => ({ c, i })).filter(({ c }) => wide || c.priority === 0);
  const headers = shown.map(({ c }) => c.name.toUpperCase());
  const rows = table.rows.map((row) =>
    shown.map(({ i }) => {
      const cell = row.cells[i];
      return cell === null || cell === undefined ? '<none>' : String(cell);
    }),
  );
  return printTable(headers, rows);
}
