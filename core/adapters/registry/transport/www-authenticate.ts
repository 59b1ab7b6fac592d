/** One `WWW-Authenticate` challenge (RFC 7235): the scheme and its parameters, e.g. Bearer realm, service, scope. */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

const paramPattern = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;

/** Parses the first challenge of a header value; undefined when there is none. */
export function parseChallenge(header: string | undefined): Challenge | undefined {
  const match = /^\s*([A-Za-z]+)\s*(.*)$/s.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const params: Record<string, string> = {};
  for (const [, key, quoted, bare] of (match[2] ?? '').matchAll(paramPattern)) {
    if (key) params[key.toLowerCase()] = quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : (bare ?? '');
  }
  return { scheme: match[1].toLowerCase(), params };
}
