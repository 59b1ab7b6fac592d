import semver from 'semver';
import { compileTagFilter, type TagFilter } from './compile-tag-filter.ts';
import type { TagPolicy } from './tag-policy.ts';

/** The tag a policy picked out of a repository's list. */
export interface TagChoice {
  /** The source tag that won. */
  tag: string;
  /** The value it was ordered by (the extracted one, when filter-extract is set). */
  value: string;
  /** How many tags passed the filter and parsed under the policy. */
  candidates: number;
}

const decimalRegExp = /^[0-9]+(?:\.[0-9]+)?$/;
/** Everything semver.parse accepts has this shape; the rest is refused before parse throws (throwing is slow). */
const versionShapeRegExp = /^v?[0-9]+\.[0-9]+\.[0-9]+(?:[-+][0-9A-Za-z.+-]*)?$/;

/**
 * The winner of `policy` among `tags`, or undefined when none qualifies. One pass, no sort: tags that
 * fail the filter or do not parse as the policy's kind (junk tags) are skipped. Ties go to the
 * alphabetically greatest source tag, so the answer never depends on the registry's order.
 */
export function selectTag(policy: TagPolicy, tags: readonly string[]): TagChoice | undefined {
  const filter = compileTagFilter(policy.pattern, policy.extract);
  const { order } = policy;
  if (order.kind === 'semver') {
    const range = new semver.Range(order.range);
    return pick(tags, filter, {
      // The shape test also refuses spaces, which semver.parse would trim away.
      keyOf: (value) => {
        const version = versionShapeRegExp.test(value) ? semver.parse(value) : null;
        return version && range.test(version) ? version : undefined;
      },
      compare: (a, b) => a.compare(b),
    });
  }
  const sign = order.direction === 'asc' ? 1 : -1;
  if (order.kind === 'numerical')
    return pick(tags, filter, {
      keyOf: (value) => (decimalRegExp.test(value) ? value : undefined),
      compare: (a, b) => sign * compareDecimals(a, b),
    });
  return pick(tags, filter, { keyOf: (value) => value, compare: (a, b) => sign * (a < b ? -1 : a > b ? 1 : 0) });
}

interface Ordering<K> {
  /** The key a value is ordered by; undefined when the value does not qualify. */
  keyOf(value: string): K | undefined;
  compare(a: K, b: K): number;
}

function pick<K>(tags: readonly string[], filter: TagFilter, ordering: Ordering<K>): TagChoice | undefined {
  let best: { tag: string; value: string; key: K } | undefined;
  let candidates = 0;
  for (const tag of tags) {
    const value = filter.valueOf(tag);
    if (value === undefined) continue;
    const key = ordering.keyOf(value);
    if (key === undefined) continue;
    candidates++;
    const byKey = best ? ordering.compare(key, best.key) : 1;
    if (!best || byKey > 0 || (byKey === 0 && tag > best.tag)) best = { tag, value, key };
  }
  return best && { tag: best.tag, value: best.value, candidates };
}

/** Compares non-negative decimals exactly (timestamps overflow a double's 53 bits of integer). */
function compareDecimals(a: string, b: string): number {
  const [ai = '', af = ''] = a.split('.');
  const [bi = '', bf = ''] = b.split('.');
  const aw = ai.replace(/^0+/, '');
  const bw = bi.replace(/^0+/, '');
  if (aw.length !== bw.length) return aw.length - bw.length;
  if (aw !== bw) return aw < bw ? -1 : 1;
  const width = Math.max(af.length, bf.length);
  const afp = af.padEnd(width, '0');
  const bfp = bf.padEnd(width, '0');
  return afp < bfp ? -1 : afp > bfp ? 1 : 0;
}
