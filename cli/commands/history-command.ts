import { ago } from '../../core/describe/human-duration.ts';
import type { ImageStream, TagEvent } from '../../core/streams/types.ts';
import { apiPaths } from '../api-paths.ts';
import { CliError } from '../cli-error.ts';
import type { Command } from '../command.ts';
import type { KubeClient } from '../kube-client.ts';
import { printTable } from '../print-table.ts';
import { parseStreamTagName, type StreamTagName } from '../stream-tag-name.ts';

/** A tag's history, newest first, numbered from 1 (the current image) as `rollback --to` counts. */
export async function readHistory(
  client: KubeClient,
  name: StreamTagName,
): Promise<{ stream: ImageStream; items: TagEvent[] }> {
  const stream = await client.json<ImageStream>('GET', apiPaths(name.namespace).imageStream(name.stream));
  const items = stream.status?.tags?.find((t) => t.tag === name.tag)?.items ?? [];
  const spec = stream.spec?.tags?.find((t) => t.name === name.tag);
  if (!items.length && !spec)
    throw new CliError(
      'history.not-found',
      `imagestreamtags.image.openshift.io "${name.stream}:${name.tag}" not found`,
    );
  return { stream, items };
}

/**
 * Why an entry became current, read from the history itself: the scheduler's re-imports, a
 * re-pointing to an image seen before (a rollback), else the actor's tag or import.
 */
export function whyOf(items: TagEvent[], index: number): string {
  const item = items[index] as TagEvent;
  if (item.actor === 'scheduler') return 'scheduled import';
  if (item.actor === 'trigger') return 'trigger';
  const earlier = items.findIndex((other, i) => i > index && other.image !== '' && other.image === item.image);
  if (earlier >= 0) return `rollback to #${earlier + 1}`;
  if (index === items.length - 1) return 'first image';
  return item.image === '' ? 'reference' : 'new image';
}

export const historyCommand: Command = {
  name: 'history',
  summary: "Show a tag's history: which image, when, by whom and why",
  usage: ['history STREAM:TAG'],
  description: [
    'Show the images a tag pointed to, newest first. # counts from 1, the current image; `rollback --to=N`',
    'takes these numbers. WHO is the principal, the scheduler or a trigger that moved the tag.',
  ].join('\n'),
  examples: ['# Where python:3.12 pointed, and who moved it', '%p history python:3.12'],
  options: {},
  async run(context, positionals) {
    if (positionals.length !== 1) throw new CliError('usage.arguments', 'you must specify one STREAM:TAG');
    const client = context.client();
    const name = parseStreamTagName(positionals[0] as string, client.namespace, 'image stream tag');
    const { items } = await readHistory(client, name);
    if (!items.length) {
      context.output.err(`Tag ${name.stream}:${name.tag} has no history yet.\n`);
      return;
    }
    const now = context.now();
    const rows = items.map((item, i) => [
      String(i + 1),
      item.dockerImageReference || item.image,
      ago(item.created, now),
      item.actor ?? '<unknown>',
      whyOf(items, i),
    ]);
    context.output.out(printTable(['#', 'IMAGE', 'WHEN', 'WHO', 'WHY'], rows));
  },
};
