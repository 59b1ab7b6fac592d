import { InvalidError } from '../errors.ts';
import { parseBody } from '../streams/schemas.ts';

/** Parses a request body, or throws the Kubernetes Invalid error naming every bad field. */
export function parseOrInvalid<T>(
  schema: Parameters<typeof parseBody<T>>[0],
  body: unknown,
  kind: string,
  name: string,
): T {
  const result = parseBody(schema, body);
  if ('causes' in result) throw new InvalidError(kind, name, result.causes);
  return result.value;
}
