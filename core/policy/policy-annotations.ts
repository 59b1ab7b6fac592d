// The annotation keys are the interface (issue 12): a manifest stays valid for OpenShift, which ignores them.

/** `semver: <range>`, `numerical: asc|desc` or `alphabetical: asc|desc`. */
export const policyAnnotation = 'imagestreams.dev/policy';
/** A regular expression a source tag must match to be considered. */
export const filterTagsAnnotation = 'imagestreams.dev/filter-tags';
/** A template over the filter's groups (`$ts`, `${ts}`, `$1`) giving the value that is ordered. */
export const filterExtractAnnotation = 'imagestreams.dev/filter-extract';

/** The field path of a tag annotation in a 422 cause, in Kubernetes' `[key]` form. */
export function annotationField(tagField: string, key: string): string {
  return `${tagField}.annotations[${key}]`;
}

/** The policy annotations of a tag in one string: a change of any of them asks for a new evaluation. */
export function policyFingerprint(annotations: Readonly<Record<string, string>> | null | undefined): string {
  return JSON.stringify([policyAnnotation, filterTagsAnnotation, filterExtractAnnotation].map((k) => annotations?.[k]));
}
