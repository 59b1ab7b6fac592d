import { CliError } from '../cli-error.ts';
import type { Command } from '../command.ts';
import { parseStreamTagName } from '../stream-tag-name.ts';
import { readHistory } from './history-command.ts';
import { putTag } from './tag-command.ts';

/** Rollback as `oc tag STREAM@sha256:… STREAM:TAG`: an older image of the history becomes a new head. */
export const rollbackCommand: Command = {
  name: 'rollback',
  summary: 'Point a tag back at an image of its history',
  usage: ['rollback STREAM:TAG --to=N|sha256:…'],
  description: [
    'Point a tag at an image it pointed to before. --to takes an entry number of `history` (1 is the',
    'current image) or a digest (a unique prefix is enough). The tag is set to that image of the stream,',
    'as `tag STREAM@sha256:… STREAM:TAG` does: a new history entry, and a pull-spec tag stops importing.',
  ].join('\n'),
  examples: [
    '# Back to the image before the current one',
    '%p rollback python:3.12 --to=2',
    '',
    '# Back to a known digest',
    '%p rollback python:3.12 --to=sha256:1a2b3c',
  ],
  options: {
    to: { type: 'string', placeholder: 'N|sha256:…', description: 'The history entry or digest to roll back to.' },
  },
  async run(context, positionals, values) {
    if (positionals.length !== 1) throw new CliError('usage.arguments', 'you must specify one STREAM:TAG');
    const to = values.to as string | undefined;
    if (!to) throw new CliError('usage.arguments', 'you must say where to roll back with --to=N or --to=sha256:…');
    const client = context.client();
    const name = parseStreamTagName(positionals[0] as string, client.namespace, 'image stream tag');
    const { items } = await readHistory(client, name);
    let image: string | undefined;
    if (/^\d+$/.test(to)) {
      const entry = items[Number(to) - 1];
      if (!entry || Number(to) < 1)
        throw new CliError(
          'rollback.entry',
          `${name.stream}:${name.tag} has ${items.length} history entries, not #${to}`,
        );
      if (!entry.image)
        throw new CliError(
          'rollback.entry',
          `entry #${to} of ${name.stream}:${name.tag} has no image digest to roll back to`,
        );
      image = entry.image;
    } else {
      if (!/^[A-Za-z][A-Za-z0-9]*:[0-9a-fA-F]+$/.test(to))
        throw new CliError('usage.to', `invalid --to "${to}": must be an entry number or a digest (sha256:…)`);
      // A prefix names the image when the history holds exactly one that starts with it; the service checks it exists.
      const matches = [...new Set(items.map((i) => i.image).filter((i) => i.startsWith(to)))];
      if (matches.length > 1)
        throw new CliError('rollback.ambiguous', `digest prefix ${to} matches ${matches.length} images`);
      image = matches[0] ?? to;
    }
    const from = `${name.stream}@${image}`;
    await putTag(client, name, {
      name: name.tag,
      from: { kind: 'ImageStreamImage', name: from, namespace: name.namespace },
      importPolicy: {},
      referencePolicy: { type: 'Source' },
    });
    const dest =
      name.namespace === client.namespace
        ? `${name.stream}:${name.tag}`
        : `${name.namespace}/${name.stream}:${name.tag}`;
    context.output.out(`Tag ${dest} set to ${from}.\n`);
  },
};
