import { InvalidQueryParameterError } from './errors.ts';

/** meta.k8s.io/v1 TableColumnDefinition. */
export interface TableColumnDefinition {
  name: string;
  /** An OpenAPI type: string, integer, number, boolean, date. */
  type: string;
  /** `name` marks the column holding the object's name. */
  format: string;
  description: string;
  /** 0 = always shown; >0 only with `kubectl get -o wide`. */
  priority: number;
}

export type TableCell = string | number | boolean | null;

/** A column and how to compute its cell from an object (at `now`, for ages). */
export interface TableColumn<T> extends TableColumnDefinition {
  cell(object: T, now: Date): TableCell;
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface ListMetadata {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: ListMetadata;
  columnDefinitions: TableColumnDefinition[];
  rows: { cells: TableCell[]; object?: unknown }[];
}

export interface BuildTableInput<T> {
  columns: readonly TableColumn<T>[];
  objects: readonly T[];
  now: Date;
  /** From the `includeObject` query parameter (see parseIncludeObject); Kubernetes' default is Metadata. */
  includeObject?: IncludeObject;
  metadata?: ListMetadata;
  /** False for the 2nd and later events of a watch, which carry only rows. */
  withColumnDefinitions?: boolean;
}

/**
 * A `meta.k8s.io/v1` Table as kube-apiserver answers `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`:
 * all columns (kubectl hides priority > 0 unless `-o wide`), one row per object, each row carrying the object as
 * PartialObjectMetadata (kubectl reads namespace and labels from it), whole, or not at all.
 */
export function buildTable<T extends { metadata?: unknown }>(input: BuildTableInput<T>): Table {
  const includeObject = input.includeObject ?? 'Metadata';
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: input.metadata ?? {},
    columnDefinitions:
      input.withColumnDefinitions === false
        ? []
        : input.columns.map(({ name, type, format, description, priority }) => ({
            name,
            type,
            format,
            description,
            priority,
          })),
    rows: input.objects.map((object) => {
      const cells = input.columns.map((column) => column.cell(object, input.now));
      if (includeObject === 'None') return { cells };
      if (includeObject === 'Object') return { cells, object };
      return {
        cells,
        object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata ?? {} },
      };
    }),
  };
}

/** The `includeObject` query parameter: absent → Metadata; other values than None/Metadata/Object → 400. */
export function parseIncludeObject(value: string | undefined): IncludeObject {
  if (value === undefined || value === '') return 'Metadata';
  if (value === 'None' || value === 'Metadata' || value === 'Object') return value;
  throw new InvalidQueryParameterError(
    `includeObject: Unsupported value: ${JSON.stringify(value)}: supported values: "Metadata", "None", "Object"`,
  );
}
