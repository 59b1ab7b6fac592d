import type { KubeClient } from './kube-client.ts';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  description: string;
  /** Shown in help as `--flag=<placeholder>`. */
  placeholder?: string;
  /** Values completion offers and parsing accepts (when set). */
  choices?: readonly string[];
}

export type OptionValues = Record<string, string | boolean | undefined>;

/** Where a command writes: stdout only what was asked for; progress only when stderr is a terminal. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
  progress(text: string): void;
}

export interface CommandContext {
  /** The API client, built on first use from the kubeconfig and the global flags. */
  client(): KubeClient;
  output: Output;
  now(): Date;
  /** The program name as invoked: `imagestreams`, or `kubectl imagestreams` for the plugin. */
  program: string;
}

/** One verb of the CLI: its flags, its help and what it does. */
export interface Command {
  name: string;
  summary: string;
  /** Usage lines without the program name, e.g. `tag [--source=SOURCETYPE] SOURCE DEST [DEST...]`. */
  usage: string[];
  description: string;
  /** Example lines; `%p` stands for the program name. */
  examples: string[];
  options: Record<string, OptionSpec>;
  /** Words completion offers for the first positional (resources or sub-verbs). */
  subcommands?: readonly string[];
  run(context: CommandContext, positionals: string[], values: OptionValues): Promise<void>;
}
