/** The Status a successful DELETE answers with, as kube-apiserver sends it. */
export interface SuccessStatus {
  apiVersion: 'v1';
  kind: 'Status';
  metadata: Record<string, never>;
  status: 'Success';
  details: { name: string; group?: string; kind: string };
}

/** `kind` is the plural; `group` only where the kind's API group is named in the answer. */
export function successStatus(kind: string, name: string, group?: string): SuccessStatus {
  return {
    apiVersion: 'v1',
    kind: 'Status',
    metadata: {},
    status: 'Success',
    details: group === undefined ? { name, kind } : { name, group, kind },
  };
}
