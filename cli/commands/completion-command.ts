import { CliError } from '../cli-error.ts';
import type { Command } from '../command.ts';
import { globalOptions } from '../parse-command-line.ts';

/** The words each verb completes: sub-verbs or resources first, then its flags. */
function words(commands: readonly Command[]): {
  verbs: string[];
  byVerb: Map<string, { subs: string[]; flags: string[] }>;
} {
  const flagsOf = (options: Command['options']) =>
    Object.entries({ ...options, ...globalOptions }).map(([name, spec]) =>
      spec.type === 'string' ? `--${name}=` : `--${name}`,
    );
  return {
    verbs: commands.map((c) => c.name),
    byVerb: new Map(commands.map((c) => [c.name, { subs: [...(c.subcommands ?? [])], flags: flagsOf(c.options) }])),
  };
}

export function bashCompletion(commands: readonly Command[]): string {
  const { verbs, byVerb } = words(commands);
  const cases = [...byVerb]
    .map(([verb, w]) => `    ${verb}) subs="${w.subs.join(' ')}"; flags="${w.flags.join(' ')}" ;;`)
    .join('\n');
  return `# bash completion for imagestreams (and kubectl-imagestreams)
_imagestreams() {
  local cur verb subs flags i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  verb=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in -*) ;; *) verb="\${COMP_WORDS[i]}"; break ;; esac
  done
  if [[ -z "$verb" ]]; then
    COMPREPLY=($(compgen -W "${verbs.join(' ')} --help --version" -- "$cur"))
    return
  fi
  case "$verb" in
${cases}
  esac
  if [[ "$cur" == -* ]]; then
    compopt -o nospace 2>/dev/null
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  elif [[ $((COMP_CWORD - i)) -eq 1 && -n "$subs" ]]; then
    COMPREPLY=($(compgen -W "$subs" -- "$cur"))
  fi
}
complete -F _imagestreams imagestreams
complete -F _imagestreams kubectl-imagestreams
`;
}

export function zshCompletion(commands: readonly Command[]): string {
  const { verbs, byVerb } = words(commands);
  const cases = [...byVerb]
    .map(([verb, w]) => `    ${verb}) subs=(${w.subs.join(' ')}); flags=(${w.flags.join(' ')}) ;;`)
    .join('\n');
  return `#compdef imagestreams kubectl-imagestreams
# zsh completion for imagestreams (and kubectl-imagestreams)
_imagestreams() {
  local -a subs flags
  local verb=\${words[2]}
  if (( CURRENT == 2 )); then
    compadd -- ${verbs.join(' ')} --help --version
    return
  fi
  case $verb in
${cases}
  esac
  if [[ $PREFIX == -* ]]; then
    compadd -S '' -- $flags
  elif (( CURRENT == 3 )) && (( \${#subs} )); then
    compadd -- $subs
  fi
}
compdef _imagestreams imagestreams kubectl-imagestreams
`;
}

/** `completion bash|zsh`: a script to source, generated from the same command table as the parser. */
export function completionCommand(commands: () => readonly Command[]): Command {
  return {
    name: 'completion',
    summary: 'Print a shell completion script (bash or zsh)',
    usage: ['completion (bash|zsh)'],
    description: "Print a completion script for bash or zsh: verbs, sub-verbs and resources, and each verb's flags.",
    examples: [
      '# bash: load for this shell, or install for every shell',
      'source <(%p completion bash)',
      '%p completion bash > /etc/bash_completion.d/imagestreams',
      '',
      '# zsh',
      'source <(%p completion zsh)',
    ],
    options: {},
    subcommands: ['bash', 'zsh'],
    async run(context, positionals) {
      const shell = positionals[0];
      if (shell === 'bash') context.output.out(bashCompletion(commands()));
      else if (shell === 'zsh') context.output.out(zshCompletion(commands()));
      else
        throw new CliError(
          'usage.arguments',
          shell ? `unsupported shell type "${shell}": use bash or zsh` : 'you must specify a shell: bash or zsh',
        );
    },
  };
}
