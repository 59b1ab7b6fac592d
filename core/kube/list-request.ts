import type { ListMetadata } from './build-table.ts';
import type { ContinueTokens } from './continue-tokens.ts';
import { InvalidContinueTokenError, InvalidQueryParameterError } from './errors.ts';
import { parseFieldSelector } from './parse-field-selector.ts';
import { parseLabelSelector } from './parse-label-selector.ts';

/** The list parameters of a GET on a collection, as sent (kubectl: `limit=500`, then `continue=…`). */
export interface ListQuery {
  limit?: string | undefined;
  continue?: string | undefined;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
}

/** What selectors look at: an object's name, namespace and labels. */
export interface SelectableMetadata {
  name: string;
  namespace?: string | undefined;
  labels?: Record<string, string> | null | undefined;
}

/** One page of a list, as asked for and checked. */
export interface ListRequest {
  /** Objects per page; undefined: the whole list. */
  limit: number | undefined;
  /** Where the previous page ended (from its continue token); undefined on a first page. */
  after: string | undefined;
  matches(metadata: SelectableMetadata): boolean;
  /** The page's list metadata: its resourceVersion, and a continue token when it ended at `next`. */
  metadata(next: string | undefined): ListMetadata;
}

/** A list without parameters: everything, in one page. */
export const wholeList: ListRequest = {
  limit: undefined,
  after: undefined,
  matches: () => true,
  metadata: () => ({}),
};

/**
 * Reads a list's query parameters. A list's `resourceVersion` is the time its first page was read, in
 * milliseconds since the epoch: objects' own resourceVersions count their own writes, so nothing else
 * orders a partition's writes; every page of a list answers the same value (it travels in the continue
 * token), as Kubernetes' pages do. The continue token is bound to `scope` (kind and namespace) and the
 * selectors. Without `tokens` (no key configured) `limit` is ignored and lists come whole, which
 * Kubernetes allows a server to do.
 */
export function listRequest(input: {
  query: ListQuery;
  scope: string;
  tokens: ContinueTokens | undefined;
  now: Date;
}): ListRequest {
  const { query, tokens } = input;
  const labels = parseLabelSelector(query.labelSelector ?? '');
  const fields = parseFieldSelector(query.fieldSelector ?? '');
  const limit = parseLimit(query.limit);
  const scope = `${input.scope}?labelSelector=${query.labelSelector ?? ''}&fieldSelector=${query.fieldSelector ?? ''}`;
  let after: string | undefined;
  let resourceVersion = String(input.now.getTime());
  if (query.continue) {
    if (!tokens) throw new InvalidContinueTokenError('this server does not page lists');
    const position = readPosition(tokens.decode(scope, query.continue));
    after = position.after;
    resourceVersion = position.resourceVersion;
  }
  return {
    limit: tokens && limit ? limit : undefined,
    after,
    matches: (metadata) =>
      labels.matches(metadata.labels) &&
      fields.matches({ 'metadata.name': metadata.name, 'metadata.namespace': metadata.namespace ?? '' }),
    metadata: (next) => ({
      resourceVersion,
      ...(next !== undefined && tokens
        ? { continue: tokens.encode(scope, JSON.stringify({ after: next, resourceVersion })) }
        : {}),
    }),
  };
}

/**
 * One page of `source` (in list order, from where the previous page ended): up to `limit` objects that match
 * the selectors. The page ends where the object that filled it is, when the source holds more after it; the
 * source is read no further than that.
 */
export async function takePage<T>(
  source: AsyncIterable<T>,
  request: ListRequest,
  describe: (item: T) => { position: string; metadata: SelectableMetadata },
): Promise<{ items: T[]; metadata: ListMetadata }> {
  const items: T[] = [];
  let last: string | undefined;
  for await (const item of source) {
    if (request.limit !== undefined && items.length >= request.limit)
      return { items, metadata: request.metadata(last) };
    const { position, metadata } = describe(item);
    last = position;
    if (request.matches(metadata)) items.push(item);
  }
  return { items, metadata: request.metadata(undefined) };
}

/** kube-apiserver reads `limit` as an integer; 0 (or none) is the whole list. */
function parseLimit(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw.trim()))
    throw new InvalidQueryParameterError(`limit: Invalid value: ${JSON.stringify(raw)}: must be an integer`);
  const value = Number(raw);
  if (value < 0)
    throw new InvalidQueryParameterError(
      `limit: Invalid value: ${JSON.stringify(raw)}: must be greater than or equal to 0`,
    );
  return value === 0 ? undefined : Math.min(value, Number.MAX_SAFE_INTEGER);
}

function readPosition(text: string): { after: string; resourceVersion: string } {
  try {
    const { after, resourceVersion } = JSON.parse(text) as { after?: unknown; resourceVersion?: unknown };
    if (typeof after === 'string' && typeof resourceVersion === 'string') return { after, resourceVersion };
  } catch {
    // falls through: a token we signed always parses, so this is one from an incompatible release
  }
  throw new InvalidContinueTokenError('unsupported version');
}
