import { parseArgs } from 'node:util';
import { CliError } from './cli-error.ts';
import type { OptionSpec, OptionValues } from './command.ts';

/** Flags every verb takes, as kubectl and oc name them. */
export const globalOptions: Record<string, OptionSpec> = {
  namespace: { type: 'string', short: 'n', placeholder: 'NAMESPACE', description: 'The namespace of the request.' },
  kubeconfig: { type: 'string', placeholder: 'PATH', description: 'The kubeconfig file to use.' },
  context: { type: 'string', placeholder: 'NAME', description: 'The kubeconfig context to use.' },
  help: { type: 'boolean', short: 'h', description: 'Help for the command.' },
  version: { type: 'boolean', description: 'Print the version and exit.' },
};

const booleanWords: Record<string, boolean> = { true: true, false: false, '1': true, '0': false };

/**
 * Parses a verb's arguments with node:util parseArgs, in its token mode so that every mistake gets
 * kubectl's wording: `unknown flag: --x`, `flag needs an argument: --x`, a boolean written
 * `--flag=false` (which parseArgs alone refuses) and a value outside the flag's choices.
 */
export function parseCommandLine(
  args: string[],
  options: Record<string, OptionSpec>,
): { values: OptionValues; positionals: string[] } {
  const all = { ...globalOptions, ...options };
  const config = Object.fromEntries(
    Object.entries(all).map(([name, spec]) => [
      name,
      { type: spec.type, ...(spec.short ? { short: spec.short } : {}) },
    ]),
  );
  const { tokens } = parseArgs({ args, options: config, strict: false, allowPositionals: true, tokens: true });
  const values: OptionValues = {};
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value);
    if (token.kind !== 'option') continue;
    const spec = all[token.name];
    if (!spec) throw new CliError('usage.unknown-flag', `unknown flag: ${token.rawName}`);
    if (spec.type === 'boolean') {
      if (token.inlineValue) {
        const value = booleanWords[token.value?.toLowerCase() ?? ''];
        if (value === undefined)
          throw new CliError(
            'usage.invalid-flag',
            `invalid argument "${token.value}" for "${token.rawName}" flag: must be true or false`,
          );
        values[token.name] = value;
      } else values[token.name] = true;
      continue;
    }
    if (token.value === undefined)
      throw new CliError('usage.missing-value', `flag needs an argument: ${token.rawName}`);
    if (spec.choices && !spec.choices.includes(token.value))
      throw new CliError(
        'usage.invalid-flag',
        `invalid argument "${token.value}" for "${token.rawName}" flag: must be one of ${spec.choices.join(', ')}`,
      );
    values[token.name] = token.value;
  }
  return { values, positionals };
}
