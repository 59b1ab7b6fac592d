import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ImageStream } from '../../core/streams/types.ts';
import { apiPaths } from '../api-paths.ts';
import { ApiStatusError } from '../api-status-error.ts';
import { CliError } from '../cli-error.ts';
import type { Command } from '../command.ts';

/** The curated library ships in the package: `<package>/library/*.yaml`, read from the bundle (dist/) or the sources (cli/commands/). */
export const libraryDir = ['../library/', '../../library/']
  .map((relative) => fileURLToPath(new URL(relative, import.meta.url)))
  .find((dir) => existsSync(dir)) as string;

export interface LibraryStream {
  file: string;
  manifest: ImageStream;
}

/** Every manifest of the library, by stream name. */
export async function readLibrary(dir = libraryDir): Promise<Map<string, LibraryStream>> {
  const { parse } = await import('../yaml-codec.ts');
  const streams = new Map<string, LibraryStream>();
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    const manifest = parse(readFileSync(`${dir}${file}`, 'utf8')) as ImageStream;
    streams.set(manifest.metadata.name, { file, manifest });
  }
  return streams;
}

/** `library install [NAMES]`: creates the library's streams, or brings existing ones to the library's spec. */
export const libraryCommand: Command = {
  name: 'library',
  summary: 'Install image streams of the curated library',
  usage: ['library install [NAME...]', 'library list'],
  description: [
    'The library holds image streams for common runtimes and services (python, nodejs, golang, openjdk,',
    'ruby, nginx, httpd, postgresql, redis, mariadb), each importing its supported versions from the',
    'official images on a schedule, with latest tracking the newest. `install` creates them (all, or the',
    "NAMEs) in the namespace; a stream that exists gets the library's tags, keeping its other tags.",
    'The same files apply with `kubectl apply -f library/`.',
  ].join('\n'),
  examples: [
    '# Install the whole library into team-a',
    '%p library install -n team-a',
    '',
    '%p library install python nodejs',
    '%p library list',
  ],
  options: {},
  subcommands: ['install', 'list'],
  async run(context, positionals) {
    const [verb, ...names] = positionals;
    const library = await readLibrary();
    if (verb === 'list') {
      for (const [name, { manifest }] of library)
        context.output.out(`${name}\t${manifest.metadata.annotations?.['openshift.io/display-name'] ?? ''}\n`);
      return;
    }
    if (verb !== 'install') throw new CliError('usage.arguments', 'you must specify install or list');
    const unknown = names.filter((n) => !library.has(n));
    if (unknown.length)
      throw new CliError(
        'library.unknown',
        `not in the library: ${unknown.join(', ')} (see '${context.program} library list')`,
      );
    const client = context.client();
    const paths = apiPaths(client.namespace);
    for (const name of names.length ? names : [...library.keys()]) {
      const { manifest } = library.get(name) as LibraryStream;
      const body = { ...manifest, metadata: { ...manifest.metadata, namespace: client.namespace } };
      try {
        await client.json('POST', paths.imageStreams, { body });
        context.output.out(`imagestream.image.openshift.io/${name} created\n`);
        continue;
      } catch (error) {
        if (!(error instanceof ApiStatusError) || error.httpStatus !== 409) throw error;
      }
      const current = await client.json<ImageStream>('GET', paths.imageStream(name));
      const ours = new Set(manifest.spec.tags.map((t) => t.name));
      await client.json('PUT', paths.imageStream(name), {
        body: {
          ...body,
          metadata: {
            ...current.metadata,
            annotations: { ...current.metadata.annotations, ...manifest.metadata.annotations },
          },
          spec: {
            ...current.spec,
            tags: [...current.spec.tags.filter((t) => !ours.has(t.name)), ...manifest.spec.tags],
          },
        },
      });
      context.output.out(`imagestream.image.openshift.io/${name} configured\n`);
    }
  },
};
