import type { ListMetadata } from './build-table.ts';

/** A Kubernetes list object: one page of items and where the next page starts. */
export interface List<T, K extends string = string> {
  apiVersion: string;
  kind: K;
  metadata: ListMetadata;
  items: T[];
}

export function listOf<T, K extends string>(
  apiVersion: string,
  kind: K,
  items: T[],
  metadata: ListMetadata = {},
): List<T, K> {
  return { apiVersion, kind, metadata, items };
}
