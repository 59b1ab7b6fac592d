import type { Command, OptionSpec } from './command.ts';
import { globalOptions } from './parse-command-line.ts';

function flagLines(options: Record<string, OptionSpec>): string[] {
  const entries = Object.entries(options).map(([name, spec]) => {
    const short = spec.short ? `-${spec.short}, ` : '    ';
    const value = spec.type === 'string' ? `=${spec.placeholder ?? 'VALUE'}` : '';
    return [`  ${short}--${name}${value}`, spec.description] as const;
  });
  const width = Math.max(...entries.map(([flag]) => flag.length)) + 2;
  return entries.map(([flag, description]) => `${flag.padEnd(width)}${description}`);
}

/** `<verb> --help`, laid out as kubectl's: description, examples, options, usage. */
export function renderHelp(command: Command, program: string): string {
  const lines = [command.description, '', 'Examples:'];
  for (const example of command.examples) lines.push(example ? `  ${example.replaceAll('%p', program)}` : '');
  if (Object.keys(command.options).length) lines.push('', 'Options:', ...flagLines(command.options));
  lines.push('', 'Global options:', ...flagLines(globalOptions), '', 'Usage:');
  for (const usage of command.usage) lines.push(`  ${program} ${usage}`);
  return `${lines.join('\n')}\n`;
}

/** The program's own help: what it is and its verbs. */
export function renderOverview(commands: readonly Command[], program: string): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 3;
  return [
    "Image streams from the command line, with oc's verbs: tag, import-image, describe, history, rollback, triggers.",
    'It reads the kubeconfig as kubectl does (KUBECONFIG, --kubeconfig, --context, -n).',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Global options:',
    ...flagLines(globalOptions),
    '',
    'Usage:',
    `  ${program} COMMAND [options]`,
    '',
    `Use "${program} COMMAND --help" for more information about a command.`,
    '',
  ].join('\n');
}
