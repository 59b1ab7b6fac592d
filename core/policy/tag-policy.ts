import semver from 'semver';
import { compileTagFilter, TagFilterSyntaxError } from './compile-tag-filter.ts';
import { filterExtractAnnotation, filterTagsAnnotation, policyAnnotation } from './policy-annotations.ts';
import { TagPolicyError } from './tag-policy-error.ts';

export type TagOrder =
  | { kind: 'semver'; range: string }
  | { kind: 'numerical' | 'alphabetical'; direction: 'asc' | 'desc' };

/** A tag's policy as its annotations spell it, checked: the range, pattern and template all compile. */
export interface TagPolicy {
  order: TagOrder;
  /** filter-tags: a tag is considered only when this RE2 pattern matches somewhere in it. */
  pattern?: string;
  /** filter-extract: what is ordered instead of the tag itself. */
  extract?: string;
}

const maxRangeLength = 256;
const kinds = ['semver', 'numerical', 'alphabetical'];

/**
 * The policy a tag's annotations ask for, or undefined when it has none. Throws TagPolicyError naming
 * the annotation at fault: an unknown kind, a malformed range, pattern or template, or a filter
 * without a policy.
 */
export function parseTagPolicy(
  annotations: Readonly<Record<string, string>> | null | undefined,
): TagPolicy | undefined {
  const spelled = annotations?.[policyAnnotation];
  const pattern = annotations?.[filterTagsAnnotation];
  const extract = annotations?.[filterExtractAnnotation];
  if (spelled === undefined) {
    const stray = pattern !== undefined ? filterTagsAnnotation : extract !== undefined ? filterExtractAnnotation : '';
    if (stray) throw new TagPolicyError(stray, `has no effect without ${policyAnnotation}`);
    return undefined;
  }
  const policy: TagPolicy = { order: parseOrder(spelled) };
  if (pattern !== undefined) policy.pattern = pattern;
  if (extract !== undefined) policy.extract = extract;
  try {
    compileTagFilter(pattern, extract);
  } catch (error) {
    if (!(error instanceof TagFilterSyntaxError)) throw error;
    throw new TagPolicyError(error.part === 'pattern' ? filterTagsAnnotation : filterExtractAnnotation, error.message);
  }
  return policy;
}

function parseOrder(spelled: string): TagOrder {
  const colon = spelled.indexOf(':');
  const kind = (colon < 0 ? spelled : spelled.slice(0, colon)).trim();
  const argument = colon < 0 ? '' : spelled.slice(colon + 1).trim();
  if (!kinds.includes(kind))
    throw new TagPolicyError(
      policyAnnotation,
      `unknown policy ${JSON.stringify(kind)}: must be "semver: <range>", "numerical: asc|desc" or "alphabetical: asc|desc"`,
    );
  if (kind === 'semver') {
    if (argument === '') throw new TagPolicyError(policyAnnotation, 'semver needs a range, such as ">=3.11.0 <4.0.0"');
    if (argument.length > maxRangeLength)
      throw new TagPolicyError(policyAnnotation, `the range must be at most ${maxRangeLength} characters`);
    if (semver.validRange(argument) === null)
      throw new TagPolicyError(policyAnnotation, `not a valid semver range: ${JSON.stringify(argument)}`);
    return { kind: 'semver', range: argument };
  }
  if (argument !== 'asc' && argument !== 'desc')
    throw new TagPolicyError(policyAnnotation, `${kind} needs an order, "asc" or "desc"`);
  return { kind: kind as 'numerical' | 'alphabetical', direction: argument };
}

/** How describe and conditions name a policy: `newest matching semver >=3.11.0 <4.0.0`. */
export function describeTagPolicy(policy: TagPolicy): string {
  const { order } = policy;
  const head =
    order.kind === 'semver'
      ? `newest matching semver ${order.range}`
      : order.kind === 'numerical'
        ? `${order.direction === 'asc' ? 'highest' : 'lowest'} numerical`
        : `${order.direction === 'asc' ? 'last' : 'first'} alphabetical`;
  const filter = policy.pattern === undefined ? '' : ` of tags matching ${policy.pattern}`;
  const extract = policy.extract === undefined ? '' : ` by ${policy.extract}`;
  return head + filter + extract;
}
