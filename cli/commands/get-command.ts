import type { TableColumn } from '../../core/kube/build-table.ts';
import { imageStreamColumns, imageStreamTagColumns } from '../../core/kube/table-columns.ts';
import { apiPaths } from '../api-paths.ts';
import { CliError } from '../cli-error.ts';
import type { Command } from '../command.ts';
import { fetchTable, formatTable } from '../fetch-table.ts';
import { outputFormats, printObjects } from '../print-objects.ts';
import { parseStreamTagName } from '../stream-tag-name.ts';

interface Kind {
  kind: string;
  columns: readonly TableColumn<never>[];
  collection: (ns: string) => string;
  item: (ns: string, name: string) => string;
}

const imageStreams: Kind = {
  kind: 'imagestream.image.openshift.io',
  columns: imageStreamColumns as readonly TableColumn<never>[],
  collection: (ns) => apiPaths(ns).imageStreams,
  item: (ns, name) => apiPaths(ns).imageStream(name),
};
const imageStreamTags: Kind = {
  kind: 'imagestreamtag.image.openshift.io',
  columns: imageStreamTagColumns as readonly TableColumn<never>[],
  collection: (ns) => apiPaths(ns).imageStreamTags,
  item: (ns, name) => {
    const { stream, tag } = parseStreamTagName(name, ns, 'image stream tag');
    return apiPaths(ns).imageStreamTag(stream, tag);
  },
};

/** Resource names and short names, as kubectl resolves them. */
export const getResources: Record<string, Kind> = {
  is: imageStreams,
  imagestream: imageStreams,
  imagestreams: imageStreams,
  istag: imageStreamTags,
  imagestreamtag: imageStreamTags,
  imagestreamtags: imageStreamTags,
};

/** `kubectl get is|istag` for the image group, with the server's columns. */
export const getCommand: Command = {
  name: 'get',
  summary: 'Display image streams or image stream tags',
  usage: ['get (is|istag) [NAME...] [-o json|yaml|name|wide]'],
  description: 'Display one or many image streams (is) or image stream tags (istag) of a namespace.',
  examples: [
    '# List the image streams of the current namespace',
    '%p get is',
    '',
    '# One image stream tag as YAML',
    '%p get istag python:3.12 -o yaml',
    '',
    '# Image stream tags with their digests',
    '%p get istag -o wide -n team-a',
  ],
  options: {
    output: {
      type: 'string',
      short: 'o',
      placeholder: 'FORMAT',
      choices: outputFormats,
      description: 'Output format: json, yaml, name or wide.',
    },
  },
  subcommands: ['is', 'istag'],
  async run(context, positionals, values) {
    const [resource, ...names] = positionals;
    if (!resource) throw new CliError('usage.arguments', 'you must specify the type of resource to get: is or istag');
    const kind = getResources[resource.toLowerCase()];
    if (!kind)
      throw new CliError('usage.resource', `the server doesn't have a resource type "${resource}" (use is or istag)`);
    const client = context.client();
    const ns = client.namespace;
    const format = values.output as string | undefined;
    if (format === undefined || format === 'wide') {
      const paths = names.length ? names.map((n) => kind.item(ns, n)) : [kind.collection(ns)];
      const tables = [];
      for (const path of paths) tables.push(await fetchTable(client, path, kind.columns, context.now()));
      const table = { ...(tables[0] as (typeof tables)[0]), rows: tables.flatMap((t) => t.rows) };
      if (!table.rows.length) {
        context.output.err(`No resources found in ${ns} namespace.\n`);
        return;
      }
      context.output.out(formatTable(table, format === 'wide'));
      return;
    }
    let objects: unknown[];
    if (names.length) {
      objects = [];
      for (const name of names) objects.push(await client.json('GET', kind.item(ns, name)));
    } else {
      objects = (await client.json<{ items?: unknown[] }>('GET', kind.collection(ns))).items ?? [];
      if (!objects.length && format === 'name') context.output.err(`No resources found in ${ns} namespace.\n`);
    }
    context.output.out(await printObjects(objects, format, kind.kind, names.length === 1));
  },
};
