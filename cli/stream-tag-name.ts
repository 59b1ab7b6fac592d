import { CliError } from './cli-error.ts';

export interface StreamTagName {
  namespace: string;
  stream: string;
  tag: string;
}

/**
 * Reads `[NAMESPACE/]STREAM:TAG` as `oc tag` destinations and the other verbs' arguments are written.
 * Only the shape is checked here; whether the names are valid is the service's decision.
 */
export function parseStreamTagName(arg: string, namespace: string, what = 'argument'): StreamTagName {
  const slash = arg.split('/');
  if (slash.length > 2) throw invalid(arg, what);
  const [ns, rest] = slash.length === 2 ? [slash[0] ?? '', slash[1] ?? ''] : [namespace, arg];
  const parts = rest.split(':');
  if (!ns || parts.length !== 2 || !parts[0] || !parts[1] || rest.includes('@')) throw invalid(arg, what);
  return { namespace: ns, stream: parts[0], tag: parts[1] };
}

function invalid(arg: string, what: string): CliError {
  return new CliError('usage.reference', `invalid ${what} "${arg}": must be [NAMESPACE/]STREAM:TAG`);
}
