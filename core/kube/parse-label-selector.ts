import { InvalidSelectorError } from './errors.ts';

export type LabelOperator = 'exists' | '!' | '=' | '==' | '!=' | 'in' | 'notin' | 'gt' | 'lt';

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}

export interface LabelSelector {
  /** Sorted by key; empty for the empty selector, which matches everything. */
  requirements: LabelRequirement[];
  matches(labels: Record<string, string> | null | undefined): boolean;
}

// Token kinds of the selector grammar in apimachinery's pkg/labels: identifiers, keywords and operators.
type Token = { kind: 'id' | 'op' | 'end'; text: string };

const operators = ['!=', '==', '=', '!', '(', ')', ',', '<', '>'];
const specialCharacters = new Set('!=(),<>');
const nameRegex = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const subdomainRegex = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Parses a `labelSelector` query value with Kubernetes' syntax: `k=v`, `k==v`, `k!=v`, `k in (a,b)`,
 * `k notin (a,b)`, `k` (exists), `!k` (absent), `k>n`, `k<n`; commas AND them. Bad syntax or an invalid key or
 * value → InvalidSelectorError (400) worded like kube-apiserver's parser.
 */
export function parseLabelSelector(text: string): LabelSelector {
  const tokens = tokenize(text);
  let position = 0;
  const peek = () => tokens[position] as Token;
  const next = () => tokens[position++] as Token;
  const requirements: LabelRequirement[] = [];
  while (peek().kind !== 'end') {
    const start = peek();
    if (start.kind !== 'id' && start.text !== '!')
      throw new InvalidSelectorError(`found '${start.text}', expected: !, identifier, or 'end of string'`);
    try {
      requirements.push(parseRequirement(peek, next));
    } catch (error) {
      if (error instanceof InvalidSelectorError)
        throw new InvalidSelectorError(`unable to parse requirement: ${error.message}`);
      throw error;
    }
    const after = next();
    if (after.kind === 'end') break;
    if (after.text !== ',') throw new InvalidSelectorError(`found '${after.text}', expected: ',' or 'end of string'`);
    const following = peek();
    if (following.kind !== 'id' && following.text !== '!')
      throw new InvalidSelectorError(`found '${following.text}', expected: identifier after ','`);
  }
  requirements.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { requirements, matches: (labels) => requirements.every((r) => matches(r, labels ?? {})) };
}

function parseRequirement(peek: () => Token, next: () => Token): LabelRequirement {
  let absent = false;
  let key = next();
  if (key.text === '!' && key.kind === 'op') {
    absent = true;
    key = next();
  }
  if (key.kind !== 'id') throw new InvalidSelectorError(`found '${key.text}', expected: identifier`);
  checkKey(key.text);
  if (absent) return { key: key.text, operator: '!', values: [] };
  const lookahead = peek();
  if (lookahead.kind === 'end' || lookahead.text === ',') return { key: key.text, operator: 'exists', values: [] };
  const operator = next();
  switch (operator.kind === 'id' ? operator.text : `op:${operator.text}`) {
    case 'in':
    case 'notin':
      return requirement(key.text, operator.text as LabelOperator, parseSet(next));
    case 'op:=':
    case 'op:==':
    case 'op:!=':
      return requirement(key.text, operator.text as LabelOperator, [parseExactValue(peek, next)]);
    case 'op:>':
      return requirement(key.text, 'gt', [parseExactValue(peek, next)]);
    case 'op:<':
      return requirement(key.text, 'lt', [parseExactValue(peek, next)]);
    default:
      throw new InvalidSelectorError(`found '${operator.text}', expected: in, notin, =, ==, !=, gt, lt`);
  }
}

function parseSet(next: () => Token): string[] {
  const open = next();
  if (open.text !== '(' || open.kind !== 'op') throw new InvalidSelectorError(`found '${open.text}' expected: '('`);
  const values = new Set<string>();
  let expectValue = true;
  for (;;) {
    const token = next();
    if (token.kind === 'id' && expectValue) {
      values.add(token.text);
      expectValue = false;
    } else if (token.text === ',' && token.kind === 'op') {
      if (expectValue) values.add(''); // "(a,,b)" and "(,a)" hold an empty value, as in Kubernetes
      expectValue = true;
    } else if (token.text === ')' && token.kind === 'op') {
      if (expectValue) values.add('');
      return [...values].sort();
    } else {
      throw new InvalidSelectorError(`found '${token.text}', expected: ',', ')' or identifier`);
    }
  }
}

function parseExactValue(peek: () => Token, next: () => Token): string {
  const token = peek();
  if (token.kind === 'end' || (token.kind === 'op' && token.text === ',')) return '';
  next();
  if (token.kind !== 'id') throw new InvalidSelectorError(`found '${token.text}', expected: identifier`);
  return token.text;
}

function requirement(key: string, operator: LabelOperator, values: string[]): LabelRequirement {
  if (operator === 'gt' || operator === 'lt') {
    if (!/^[+-]?\d+$/.test(values[0] ?? ''))
      throw new InvalidSelectorError(
        `Invalid value: ${JSON.stringify(values[0])}: for 'Gt', 'Lt' operators, the value must be an integer`,
      );
    return { key, operator, values };
  }
  for (const value of values) checkValue(value);
  return { key, operator, values };
}

function matches(requirement: LabelRequirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, requirement.key);
  const value = labels[requirement.key];
  switch (requirement.operator) {
    case 'exists':
      return has;
    case '!':
      return !has;
    case '=':
    case '==':
    case 'in':
      return has && requirement.values.includes(value as string);
    case '!=':
    case 'notin':
      return !has || !requirement.values.includes(value as string);
    case 'gt':
    case 'lt': {
      if (!has || !/^[+-]?\d+$/.test(value as string)) return false;
      const actual = BigInt(value as string);
      const bound = BigInt(requirement.values[0] as string);
      return requirement.operator === 'gt' ? actual > bound : actual < bound;
    }
  }
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < text.length) {
    const character = text[index] as string;
    if (/\s/.test(character)) {
      index++;
    } else if (specialCharacters.has(character)) {
      const operator = operators.find((candidate) => text.startsWith(candidate, index));
      if (!operator) throw new InvalidSelectorError(`error expected: keyword found '${character}'`);
      tokens.push({ kind: 'op', text: operator });
      index += operator.length;
    } else {
      let end = index;
      while (end < text.length && !specialCharacters.has(text[end] as string) && !/\s/.test(text[end] as string)) end++;
      tokens.push({ kind: 'id', text: text.slice(index, end) });
      index = end;
    }
  }
  tokens.push({ kind: 'end', text: '' });
  return tokens;
}

function checkKey(key: string): void {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const problems: string[] = [];
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !subdomainRegex.test(prefix)))
    problems.push('prefix part must be a lowercase RFC 1123 subdomain of at most 253 characters');
  if (name.length === 0 || name.length > 63 || !nameRegex.test(name))
    problems.push(
      "name part must be at most 63 characters of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric",
    );
  if (problems.length > 0)
    throw new InvalidSelectorError(`Invalid value: ${JSON.stringify(key)}: ${problems.join('; ')}`);
}

function checkValue(value: string): void {
  if (value === '' || (value.length <= 63 && nameRegex.test(value))) return;
  throw new InvalidSelectorError(
    `Invalid value: ${JSON.stringify(value)}: a label value must be empty or at most 63 characters of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric`,
  );
}
