/** What a GET answers in: a meta.k8s.io/v1 Table, the object or list as JSON, or nothing the client accepts (406). */
export type ResponseFormat = 'table' | 'json' | 'not-acceptable';

interface MediaRange {
  type: string;
  parameters: Map<string, string>;
  q: number;
  order: number;
}

/**
 * Reads an `Accept` header the way kube-apiserver negotiates a GET: the most preferred acceptable range wins (by
 * q, then order). `application/json;as=Table;v=v1;g=meta.k8s.io` → table (v1beta1 Tables are not served);
 * `application/json`, `application/*`, `*\/*` or no header → json; protobuf and YAML are not produced, so
 * a client listing only those gets not-acceptable.
 */
export function negotiateListFormat(accept: string | undefined): ResponseFormat {
  if (accept === undefined || accept.trim() === '') return 'json';
  const ranges = accept
    .split(',')
    .map((text, order) => parseRange(text, order))
    .filter((range): range is MediaRange => range !== undefined && range.q > 0)
    .sort((a, b) => b.q - a.q || a.order - b.order);
  for (const range of ranges) {
    const format = formatOf(range);
    if (format) return format;
  }
  return 'not-acceptable';
}

function parseRange(text: string, order: number): MediaRange | undefined {
  const [type, ...rest] = text.split(';').map((part) => part.trim());
  if (!type) return undefined;
  const parameters = new Map<string, string>();
  for (const parameter of rest) {
    const equals = parameter.indexOf('=');
    if (equals <= 0) continue;
    parameters.set(
      parameter.slice(0, equals).trim().toLowerCase(),
      parameter
        .slice(equals + 1)
        .trim()
        .replace(/^"|"$/g, ''),
    );
  }
  const q = parameters.has('q') ? Number(parameters.get('q')) : 1;
  return { type: type.toLowerCase(), parameters, q: Number.isFinite(q) ? q : 0, order };
}

function formatOf(range: MediaRange): ResponseFormat | undefined {
  const as = range.parameters.get('as');
  if (range.type === 'application/json' && as !== undefined) {
    const isTableV1 =
      as === 'Table' && range.parameters.get('v') === 'v1' && range.parameters.get('g') === 'meta.k8s.io';
    return isTableV1 ? 'table' : undefined;
  }
  if (range.type === 'application/json' || range.type === 'application/*' || range.type === '*/*') return 'json';
  return undefined;
}
