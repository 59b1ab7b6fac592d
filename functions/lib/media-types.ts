/** One entry of an Accept or Content-Type header: `type/subtype` and its parameters (names lower-cased). */
export interface MediaRange {
  type: string;
  params: Record<string, string>;
}

/** Parses an Accept header (`application/json;as=Table;v=v1, text/plain;q=0.5`) into its entries, dropping those with q=0. */
export function parseMediaTypes(header: string | undefined): MediaRange[] {
  if (header === undefined || header.trim() === '') return [];
  return header
    .split(',')
    .map((entry) => {
      const [type = '', ...rest] = entry.split(';');
      const params: Record<string, string> = {};
      for (const param of rest) {
        const at = param.indexOf('=');
        if (at < 0) continue;
        params[param.slice(0, at).trim().toLowerCase()] = param
          .slice(at + 1)
          .trim()
          .replace(/^"|"$/g, '');
      }
      return { type: type.trim().toLowerCase(), params };
    })
    .filter((range) => range.type !== '' && !/^0(\.0*)?$/.test(range.params.q ?? '1'));
}

const wildcard = '*';
const anyType = `${wildcard}/${wildcard}`;

/** Whether an Accept entry admits a plain (not `as=…`-converted) answer of `type`. */
export function admits(range: MediaRange, type: string): boolean {
  if (range.params.as !== undefined) return false;
  const [major] = type.split('/');
  return range.type === anyType || range.type === `${major}/${wildcard}` || range.type === type;
}

/** The media type of a Content-Type header without its parameters; undefined when absent. */
export function contentTypeOf(header: string | undefined): string | undefined {
  return parseMediaTypes(header)[0]?.type;
}
