import { RE2JS, RE2JSException } from 're2js';

/** Longer patterns are refused: a filter is one line a person wrote, and the automaton grows with it. */
export const maxPatternLength = 512;
/** Registry tags are at most 128 characters; anything longer is not a tag and is never matched. */
export const maxTagLength = 128;

/** A compiled filter-tags / filter-extract pair: the value a tag is ordered by, or undefined when it is filtered out. */
export interface TagFilter {
  valueOf(tag: string): string | undefined;
}

type Piece = { literal: string } | { group: number };

/** Why a filter pattern or template was refused, naming which of the two. */
export class TagFilterSyntaxError extends Error {
  readonly part: 'pattern' | 'template';
  constructor(part: 'pattern' | 'template', message: string) {
    super(message);
    this.part = part;
  }
}

/**
 * Compiles a filter with RE2 semantics (re2js: linear time in the input, no backreferences or
 * lookarounds, so no catastrophic backtracking). Groups may be named `(?P<name>…)` or `(?<name>…)`.
 * The pattern is searched for anywhere in the tag, as Flux's filterTags does; anchor it with ^…$.
 */
export function compileTagFilter(pattern: string | undefined, template: string | undefined): TagFilter {
  if (pattern === undefined) {
    if (template !== undefined)
      throw new TagFilterSyntaxError('template', 'needs a filter-tags pattern to extract from');
    return { valueOf: (tag) => (tag.length <= maxTagLength ? tag : undefined) };
  }
  if (pattern.length === 0) throw new TagFilterSyntaxError('pattern', 'must not be empty');
  if (pattern.length > maxPatternLength)
    throw new TagFilterSyntaxError('pattern', `must be at most ${maxPatternLength} characters`);
  let regExp: RE2JS;
  try {
    regExp = RE2JS.compile(pattern);
  } catch (error) {
    if (!(error instanceof RE2JSException)) throw error;
    throw new TagFilterSyntaxError('pattern', `not a valid RE2 regular expression: ${error.message}`);
  }
  const pieces = template === undefined ? undefined : parseTemplate(template, regExp);
  return {
    valueOf(tag) {
      if (tag.length > maxTagLength) return undefined;
      const matcher = regExp.matcher(tag);
      if (!matcher.find()) return undefined;
      if (!pieces) return tag;
      return pieces.map((p) => ('literal' in p ? p.literal : (matcher.group(p.group) ?? ''))).join('');
    },
  };
}

/**
 * Splits a template into literals and group references: `$name`, `${name}`, `$1`, `${1}`, and `$$`
 * for a dollar sign. As in Go's Regexp.Expand, `$name` takes the longest run of letters, digits and
 * underscores; unlike it, a reference to a group the pattern does not have is refused, not emptied.
 */
function parseTemplate(template: string, regExp: RE2JS): Piece[] {
  if (template.length === 0) throw new TagFilterSyntaxError('template', 'must not be empty');
  if (template.length > maxPatternLength)
    throw new TagFilterSyntaxError('template', `must be at most ${maxPatternLength} characters`);
  const named = regExp.namedGroups();
  const groups = regExp.groupCount();
  const pieces: Piece[] = [];
  const reference = /\$(?:\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/y;
  let literal = '';
  let i = 0;
  while (i < template.length) {
    const dollar = template.indexOf('$', i);
    if (dollar < 0) {
      literal += template.slice(i);
      break;
    }
    literal += template.slice(i, dollar);
    reference.lastIndex = dollar;
    const match = reference.exec(template);
    if (!match) throw new TagFilterSyntaxError('template', `"$" at ${dollar} must start $name, \${name}, $1 or $$`);
    i = reference.lastIndex;
    const name = match[1] ?? match[2];
    if (name === undefined) {
      literal += '$';
      continue;
    }
    const group = /^[0-9]+$/.test(name) ? Number(name) : Object.hasOwn(named, name) ? named[name] : undefined;
    if (group === undefined || group > groups)
      throw new TagFilterSyntaxError('template', `refers to a group the filter-tags pattern does not have: ${name}`);
    if (literal) pieces.push({ literal });
    literal = '';
    pieces.push({ group });
  }
  if (literal) pieces.push({ literal });
  return pieces;
}
