import packageJson from '../package.json' with { type: 'json' };
import { CliError } from './cli-error.ts';
import type { Command, CommandContext, Output } from './command.ts';
import { completionCommand } from './commands/completion-command.ts';
import { describeCommand } from './commands/describe-command.ts';
import { getCommand } from './commands/get-command.ts';
import { historyCommand } from './commands/history-command.ts';
import { importImageCommand } from './commands/import-image-command.ts';
import { libraryCommand } from './commands/library-command.ts';
import { rollbackCommand } from './commands/rollback-command.ts';
import { tagCommand } from './commands/tag-command.ts';
import { triggersCommand } from './commands/triggers-command.ts';
import { KubeClient } from './kube-client.ts';
import { parseCommandLine } from './parse-command-line.ts';
import { renderHelp, renderOverview } from './render-help.ts';

export const commands: readonly Command[] = [
  tagCommand,
  importImageCommand,
  describeCommand,
  getCommand,
  historyCommand,
  rollbackCommand,
  triggersCommand,
  libraryCommand,
  completionCommand(() => commands),
];

export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  now?: () => Date;
}

/**
 * Runs one command line and answers the exit code: 0 when it did what was asked, 1 otherwise, with
 * one line on stderr saying why (never a stack trace). stdout carries only the requested output.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const program = io.env.IMAGESTREAMS_PROGRAM === 'kubectl-imagestreams' ? 'kubectl imagestreams' : 'imagestreams';
  const output: Output = {
    out: (text) => io.stdout.write(text),
    err: (text) => io.stderr.write(text),
    progress: (text) => {
      if (io.stderr.isTTY) io.stderr.write(`\r\u001b[K${text}`);
    },
  };
  try {
    const verbIndex = findVerb(argv);
    const verb = verbIndex >= 0 ? argv[verbIndex] : undefined;
    const command = commands.find((c) => c.name === verb);
    if (!command) {
      const { values } = parseCommandLine(
        argv.filter((_, i) => i !== verbIndex),
        {},
      );
      if (values.version) {
        output.out(`${program} ${packageJson.version}\n`);
        return 0;
      }
      if (verb === undefined || verb === 'help') {
        output.out(renderOverview(commands, program));
        return 0;
      }
      throw new CliError('usage.unknown-command', `unknown command "${verb}" for "${program}"`);
    }
    const rest = argv.filter((_, i) => i !== verbIndex);
    const { values, positionals } = parseCommandLine(rest, command.options);
    if (values.help) {
      output.out(renderHelp(command, program));
      return 0;
    }
    if (values.version) {
      output.out(`${program} ${packageJson.version}\n`);
      return 0;
    }
    let client: KubeClient | undefined;
    const context: CommandContext = {
      client: () =>
        (client ??= KubeClient.load(
          {
            kubeconfig: values.kubeconfig as string | undefined,
            context: values.context as string | undefined,
            namespace: values.namespace as string | undefined,
          },
          io.env,
        )),
      output,
      now: io.now ?? (() => new Date()),
      program,
    };
    await command.run(context, positionals, values);
    return 0;
  } catch (error) {
    if (error instanceof CliError) {
      if (error.message) output.err(error.verbatim ? `${error.message}\n` : `error: ${error.message}\n`);
      return 1;
    }
    // A bug of ours: still one line, with what a report needs.
    output.err(`error: internal error: ${(error as Error)?.message ?? String(error)}\n`);
    if (io.env.IMAGESTREAMS_DEBUG) output.err(`${(error as Error)?.stack}\n`);
    return 1;
  }
}

/** The first word that is neither a flag nor the value of a global flag written apart (`-n demo tag …`). */
function findVerb(argv: string[]): number {
  const takesValue = new Set(['-n', '--namespace', '--kubeconfig', '--context']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') return i + 1 < argv.length ? i + 1 : -1;
    if (takesValue.has(arg)) i++;
    else if (!arg.startsWith('-')) return i;
  }
  return -1;
}
