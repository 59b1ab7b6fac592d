import type { ImageStream, TagReference } from '../../core/streams/types.ts';
import { apiPaths } from '../api-paths.ts';
import { ApiStatusError } from '../api-status-error.ts';
import { CliError } from '../cli-error.ts';
import type { Command, OptionValues } from '../command.ts';
import { importOptions } from './import-options.ts';

interface ImportSpecPolicy {
  importPolicy: { insecure?: boolean; scheduled?: boolean; importMode?: string };
  referencePolicy: { type: string };
}

interface ImageImportStatus {
  tag?: string;
  status: { status: string; message?: string; reason?: string };
  image?: { metadata?: { name?: string }; dockerImageReference?: string };
}

interface ImportAnswer {
  status: {
    import?: ImageStream;
    images?: ImageImportStatus[];
    repository?: {
      status?: { status: string; message?: string };
      images?: ImageImportStatus[];
      additionalTags?: string[];
    };
  };
}

/** `oc import-image`: one ImageStreamImport, with oc's rules for when --confirm is needed. */
export const importImageCommand: Command = {
  name: 'import-image',
  summary: 'Import images from a registry into an image stream',
  usage: ['import-image STREAM[:TAG] [--from=PULLSPEC] [--confirm] [--all] [flags]'],
  description: [
    'Import the image a tag names from its registry now, or every tag of a repository with --all.',
    '',
    'An existing tag is re-imported from its own pull spec (following aliases); a different --from is refused',
    "(use the 'tag' command to change a source). A missing stream, or a new repository for --all, needs",
    '--confirm. TAG defaults to latest.',
  ].join('\n'),
  examples: [
    '# Re-import python:3.12 from where it is tagged from',
    '%p import-image python:3.12',
    '',
    '# Create the stream python and import every tag of a repository',
    '%p import-image python --from=quay.io/org/python --all --confirm',
    '',
    '# See what an import would find, without changing anything',
    '%p import-image app:2 --from=registry.example.com/app:2 --confirm --dry-run',
  ],
  options: {
    from: {
      type: 'string',
      placeholder: 'PULLSPEC',
      description: 'The registry repository or pull spec to import from.',
    },
    confirm: { type: 'boolean', description: 'Create the stream, or change its repository, if needed.' },
    all: { type: 'boolean', description: "Import every tag of the repository (up to the service's limit)." },
    scheduled: { type: 'boolean', description: 'Re-import the imported tags periodically.' },
    ...importOptions,
    'dry-run': { type: 'boolean', description: 'Look the images up without recording them.' },
  },
  async run(context, positionals, values) {
    if (positionals.length !== 1) throw new CliError('usage.arguments', 'you must specify the name of an image stream');
    const arg = positionals[0] as string;
    if (arg.includes('@')) throw new CliError('import.by-id', "to import images by ID, use the 'tag' command");
    const [streamName = '', tagArg, extra] = arg.split(':');
    if (extra !== undefined || !streamName || tagArg === '')
      throw new CliError('usage.reference', `invalid image stream "${arg}": must be STREAM[:TAG]`);
    if (tagArg !== undefined && values.all)
      throw new CliError('import.all-tag', `cannot specify a tag "${arg}" as well as --all`);
    const tag = tagArg ?? 'latest';
    const policy = importPolicy(values);
    const client = context.client();
    const paths = apiPaths(client.namespace);
    let stream: ImageStream | undefined;
    try {
      stream = await client.json<ImageStream>('GET', paths.imageStream(streamName));
    } catch (error) {
      if (!(error instanceof ApiStatusError) || error.httpStatus !== 404) throw error;
    }
    const fromFlag = values.from as string | undefined;
    const spec = stream
      ? existingStreamSpec(stream, tag, Boolean(values.all), fromFlag, Boolean(values.confirm), policy)
      : newStreamSpec(streamName, tag, arg, Boolean(values.all), fromFlag, Boolean(values.confirm), policy);
    const body = {
      kind: 'ImageStreamImport',
      apiVersion: 'image.openshift.io/v1',
      metadata: {
        name: streamName,
        namespace: client.namespace,
        ...(stream ? { resourceVersion: stream.metadata.resourceVersion } : {}),
      },
      spec: { import: !values['dry-run'], ...spec },
    };
    const count = spec.images?.length;
    context.output.progress(
      `Importing ${count === undefined ? `the repository ${spec.repository?.from.name}` : `${count} image${count === 1 ? '' : 's'}`} into ${streamName} ...`,
    );
    const answer = await client.json<ImportAnswer>('POST', paths.imageStreamImports, { body });
    context.output.progress('');
    const statuses = [...(answer.status.images ?? []), ...(answer.status.repository?.images ?? [])];
    const failures = statuses.filter((s) => s.status?.status === 'Failure');
    const repositoryFailure =
      answer.status.repository?.status?.status === 'Failure' ? answer.status.repository.status.message : undefined;
    const failed = failures.length > 0 || repositoryFailure !== undefined;
    const dry = values['dry-run'] ? ' (dry run)' : '';
    context.output.out(`imagestream.image.openshift.io/${streamName} imported${failed ? ' with errors' : ''}${dry}\n`);
    if (!values['dry-run'] && answer.status.import) {
      context.output.out(`\n${await client.text('GET', paths.imageStreamDescribe(streamName))}`);
    } else {
      for (const s of statuses)
        if (s.status?.status !== 'Failure')
          context.output.out(
            `${s.tag ?? ''}\t${s.image?.dockerImageReference ?? ''}\t${s.image?.metadata?.name ?? ''}\n`,
          );
    }
    if (repositoryFailure !== undefined) context.output.err(`error: repository failed: ${repositoryFailure}\n`);
    for (const f of failures)
      context.output.err(`error: tag ${f.tag ?? ''} failed: ${f.status.message ?? f.status.reason ?? ''}\n`);
    const additional = answer.status.repository?.additionalTags ?? [];
    if (additional.length)
      context.output.err(
        `info: The remote repository contained ${additional.length} additional tags which were not imported: ${additional.join(', ')}\n`,
      );
    if (failed) throw new CliError('import.failed', '', { verbatim: true });
  },
};

function importPolicy(values: OptionValues): ImportSpecPolicy {
  const policy = (values['reference-policy'] as string | undefined)?.toLowerCase();
  if (policy !== undefined && policy !== 'source' && policy !== 'local')
    throw new CliError('usage.reference-policy', "reference policy must be set to 'source' or 'local'");
  const mode = values['import-mode'] as string | undefined;
  if (mode !== undefined && mode !== 'Legacy' && mode !== 'PreserveOriginal')
    throw new CliError('usage.import-mode', 'valid ImportMode values are Legacy or PreserveOriginal');
  return {
    importPolicy: {
      ...(values.insecure ? { insecure: true } : {}),
      ...(values.scheduled ? { scheduled: true } : {}),
      ...(mode ? { importMode: mode } : {}),
    },
    referencePolicy: { type: policy === 'local' ? 'Local' : policy === 'source' ? 'Source' : '' },
  };
}

type ImportSpec = {
  images?: ({ from: { kind: 'DockerImage'; name: string }; to: { name: string } } & ImportSpecPolicy)[];
  repository?: { from: { kind: 'DockerImage'; name: string } } & ImportSpecPolicy;
};

function newStreamSpec(
  stream: string,
  tag: string,
  arg: string,
  all: boolean,
  from: string | undefined,
  confirm: boolean,
  policy: ImportSpecPolicy,
): ImportSpec {
  if (!confirm)
    throw new CliError(
      'import.confirm',
      `no image stream named "${stream}" exists, pass --confirm to create and import`,
    );
  const source = from ?? arg;
  if (all) return { repository: { from: { kind: 'DockerImage', name: source }, ...policy } };
  return { images: [{ from: { kind: 'DockerImage', name: source }, to: { name: tag }, ...policy }] };
}

/** oc's rules for an existing stream: re-import what the spec says; a new source needs the `tag` command. */
function existingStreamSpec(
  stream: ImageStream,
  tag: string,
  all: boolean,
  from: string | undefined,
  confirm: boolean,
  policy: ImportSpecPolicy,
): ImportSpec {
  const insecureStream = stream.metadata.annotations?.['openshift.io/image.insecureRepository'] === 'true';
  const tags = stream.spec.tags ?? [];
  if (all) {
    const repository = stream.spec.dockerImageRepository;
    if (from !== undefined && from !== repository && repository && !confirm)
      throw new CliError(
        'import.confirm',
        `the image stream already imports from "${repository}", pass --confirm to import from "${from}" instead`,
      );
    const source = from ?? repository;
    if (source) {
      const p = { ...policy, importPolicy: { ...policy.importPolicy, ...(insecureStream ? { insecure: true } : {}) } };
      return { repository: { from: { kind: 'DockerImage', name: source }, ...p } };
    }
    const images = tags
      .filter((t) => t.from?.kind === 'DockerImage' && !t.reference)
      .map((t) => ({
        from: { kind: 'DockerImage' as const, name: t.from?.name as string },
        to: { name: t.name },
        ...merge(policy, t, insecureStream),
      }));
    if (!images.length)
      throw new CliError(
        'import.nothing',
        `image stream "${stream.metadata.name}" has no tags that import from a registry`,
      );
    return { images };
  }
  let target = tags.find((t) => t.name === tag);
  const seen = new Set<string>();
  // Follow same-stream aliases to the tag that names a pull spec.
  while (target?.from?.kind === 'ImageStreamTag' && !target.from.namespace && !seen.has(target.name)) {
    seen.add(target.name);
    const [s, t] = target.from.name.includes(':')
      ? target.from.name.split(':')
      : [stream.metadata.name, target.from.name];
    if (s !== stream.metadata.name) break;
    const next = tags.find((x) => x.name === t);
    if (!next) break;
    target = next;
  }
  if (target) {
    if (target.from?.kind !== 'DockerImage')
      throw new CliError(
        'import.not-importable',
        `tag "${tag}" points to existing ${target.from?.kind ?? 'nothing'} "${target.from?.name ?? ''}", it cannot be re-imported`,
      );
    if (from !== undefined && from !== target.from.name)
      throw new CliError(
        'import.source',
        `the tag "${tag}" points to "${target.from.name}" - use the 'tag' command if you want to change the source to "${from}"`,
      );
    return {
      images: [
        {
          from: { kind: 'DockerImage', name: target.from.name },
          to: { name: target.name },
          ...merge(policy, target, insecureStream),
        },
      ],
    };
  }
  const repository = stream.spec.dockerImageRepository;
  const source = from ?? (tag === 'latest' && repository ? `${repository}:latest` : undefined);
  if (!source)
    throw new CliError(
      'import.no-tag',
      `the tag "${tag}" does not exist on the image stream - choose an existing tag to import or use the 'tag' command to create a new tag`,
    );
  const p = { ...policy, importPolicy: { ...policy.importPolicy, ...(insecureStream ? { insecure: true } : {}) } };
  return { images: [{ from: { kind: 'DockerImage', name: source }, to: { name: tag }, ...p }] };
}

/** An existing tag keeps its own insecure/scheduled settings, OR-ed with the flags. */
function merge(policy: ImportSpecPolicy, tag: TagReference, insecureStream: boolean): ImportSpecPolicy {
  return {
    importPolicy: {
      ...policy.importPolicy,
      ...(tag.importPolicy?.insecure || insecureStream || policy.importPolicy.insecure ? { insecure: true } : {}),
      ...(tag.importPolicy?.scheduled || policy.importPolicy.scheduled ? { scheduled: true } : {}),
      ...((policy.importPolicy.importMode ?? tag.importPolicy?.importMode)
        ? { importMode: policy.importPolicy.importMode ?? tag.importPolicy?.importMode }
        : {}),
    },
    referencePolicy: policy.referencePolicy.type ? policy.referencePolicy : (tag.referencePolicy ?? { type: '' }),
  };
}
