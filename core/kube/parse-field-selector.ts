import { InvalidSelectorError } from './errors.ts';

export interface FieldRequirement {
  field: string;
  operator: '=' | '!=';
  value: string;
}

export interface FieldSelector {
  requirements: FieldRequirement[];
  matches(fields: Record<string, string>): boolean;
}

/** Every resource supports these two fields, as in Kubernetes; we support no others. */
export const supportedSelectorFields = ['metadata.name', 'metadata.namespace'] as const;

/**
 * Parses a `fieldSelector` query value: `f=v`, `f==v`, `f!=v`, commas AND them, `\` escapes `\ , = !` in
 * values. A field other than metadata.name/metadata.namespace, or bad syntax → InvalidSelectorError (400) in
 * kube-apiserver's words. Match with `{ 'metadata.name': …, 'metadata.namespace': … }`.
 */
export function parseFieldSelector(text: string): FieldSelector {
  const requirements = splitTerms(text).map((term) => parseTerm(text, term));
  return {
    requirements,
    matches: (fields) =>
      requirements.every(({ field, operator, value }) => (fields[field] === value) === (operator === '=')),
  };
}

function parseTerm(selector: string, term: string): FieldRequirement {
  const match = /^(.*?)(!=|==|=)(.*)$/s.exec(term);
  if (!match || match[1] === '')
    throw new InvalidSelectorError(`invalid selector: '${selector}'; can't understand '${term}'`);
  const field = match[1] as string;
  if (!(supportedSelectorFields as readonly string[]).includes(field))
    throw new InvalidSelectorError(
      `${JSON.stringify(field)} is not a known field selector: only ${supportedSelectorFields.map((f) => JSON.stringify(f)).join(', ')}`,
    );
  return { field, operator: match[2] === '!=' ? '!=' : '=', value: unescapeValue(selector, match[3] as string) };
}

/** Splits at commas not escaped by a backslash; the terms keep their escapes. */
function splitTerms(text: string): string[] {
  if (text.trim() === '') return [];
  const terms: string[] = [];
  let start = 0;
  for (let index = 0; index < text.length; index++) {
    if (text[index] === '\\') index++;
    else if (text[index] === ',') {
      terms.push(text.slice(start, index));
      start = index + 1;
    }
  }
  terms.push(text.slice(start));
  return terms;
}

function unescapeValue(selector: string, value: string): string {
  let result = '';
  for (let index = 0; index < value.length; index++) {
    const character = value[index] as string;
    if (character !== '\\') {
      if (character === '=' || character === '!' || character === ',')
        throw new InvalidSelectorError(`invalid selector: '${selector}'; can't understand '${value}'`);
      result += character;
      continue;
    }
    const escaped = value[++index];
    if (escaped === undefined || !'\\,=!'.includes(escaped))
      throw new InvalidSelectorError(`invalid selector: '${selector}'; invalid escape sequence in '${value}'`);
    result += escaped;
  }
  return result;
}
