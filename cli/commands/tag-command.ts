import { parseDockerImageReference } from '../../core/references/docker-image-reference.ts';
import type { ImageStreamTag, ObjectReference, SourceKind, TagReference } from '../../core/streams/types.ts';
import { apiPaths } from '../api-paths.ts';
import { ApiStatusError } from '../api-status-error.ts';
import { CliError } from '../cli-error.ts';
import type { Command, CommandContext, OptionValues } from '../command.ts';
import type { KubeClient } from '../kube-client.ts';
import { parseStreamTagName, type StreamTagName } from '../stream-tag-name.ts';
import { importOptions } from './import-options.ts';

const sourceKinds: Record<string, SourceKind> = {
  imagestreamtag: 'ImageStreamTag',
  istag: 'ImageStreamTag',
  imagestreamimage: 'ImageStreamImage',
  isimage: 'ImageStreamImage',
  docker: 'DockerImage',
  dockerimage: 'DockerImage',
};

/** What a destination is set to, with the words of `oc tag`'s message. */
export interface TagSource {
  from: ObjectReference;
  /** Printed in `Tag <dest> set to <shown>.` */
  shown: string;
  kind: SourceKind;
}

export interface TagFlags {
  alias: boolean;
  reference: boolean;
  scheduled: boolean;
  insecure: boolean;
  referencePolicy: 'Source' | 'Local';
  importMode: string | undefined;
}

/** `oc tag`: points tags at a pull spec, at another tag (copy or alias), or at an image of a stream's history. */
export const tagCommand: Command = {
  name: 'tag',
  summary: 'Tag existing images into image streams',
  usage: ['tag [--source=SOURCETYPE] SOURCE DEST [DEST...] [flags]', 'tag -d DEST [DEST...]'],
  description: [
    'Tag existing images into image streams.',
    '',
    'SOURCE is a pull spec (registry/repo:tag or @sha256:…), an image stream tag ([NAMESPACE/]STREAM:TAG)',
    'or an image of a stream ([NAMESPACE/]STREAM@sha256:…); the kind is detected unless --source names it.',
    'Tagging from an image stream tag copies its current image; --alias makes the destination track it.',
    'Each DEST is [NAMESPACE/]STREAM:TAG and is created, with its stream, when missing.',
  ].join('\n'),
  examples: [
    '# Import python:3.12 from Docker Hub into the tag python:3.12 and re-import it periodically',
    '%p tag docker.io/library/python:3.12 python:3.12 --scheduled',
    '',
    '# Make python:stable track python:3.12',
    '%p tag python:3.12 python:stable --alias',
    '',
    '# Copy the current image of python:3.12 into two tags of another stream',
    '%p tag python:3.12 app:base app:base-2026',
    '',
    '# Record a pull spec without importing it',
    '%p tag quay.io/org/app:2 app:ext --reference',
    '',
    '# Delete tags',
    '%p tag -d python:3.10 python:3.9',
  ],
  options: {
    source: {
      type: 'string',
      placeholder: 'SOURCETYPE',
      description: 'The kind of SOURCE: imagestreamtag|istag, imagestreamimage|isimage, docker|dockerimage.',
    },
    alias: { type: 'boolean', description: 'The destination tracks the source tag (same stream only).' },
    reference: { type: 'boolean', description: 'Record the source without importing it.' },
    scheduled: { type: 'boolean', description: 'Re-import the pull spec periodically.' },
    ...importOptions,
    delete: { type: 'boolean', short: 'd', description: 'Delete the given tags.' },
  },
  async run(context, positionals, values) {
    if (values.delete) return deleteTags(context, positionals, values);
    // Every refusal that needs no server comes before the kubeconfig is read.
    const flags = tagFlags(values);
    if (positionals.length < 2)
      throw new CliError('usage.arguments', 'you must specify a source and at least one destination');
    const [sourceArg = '', ...destArgs] = positionals;
    const kind = sourceKindOf(sourceArg, values.source as string | undefined);
    checkFlags(kind, flags);
    for (const d of destArgs) parseStreamTagName(d, 'current', 'destination'); // the shape, before the kubeconfig
    const client = context.client();
    const destinations = destArgs.map((d) => parseStreamTagName(d, client.namespace, 'destination'));
    const source = await resolveSource(client, sourceArg, kind, flags, destinations);
    for (const dest of destinations) {
      const from: ObjectReference = { ...source.from };
      // A source without a namespace lives in the current one; say so when the destination is elsewhere.
      if (kind !== 'DockerImage' && !from.namespace && dest.namespace !== client.namespace)
        from.namespace = client.namespace;
      await putTag(client, dest, tagReference(dest.tag, from, source.kind, flags));
      context.output.out(`${message(dest, client.namespace, source, flags)}\n`);
    }
  },
};

function tagFlags(values: OptionValues): TagFlags {
  const policy = (values['reference-policy'] as string | undefined)?.toLowerCase() ?? 'source';
  if (policy !== 'source' && policy !== 'local')
    throw new CliError('usage.reference-policy', "reference policy must be set to 'source' or 'local'");
  const importMode = values['import-mode'] as string | undefined;
  if (importMode !== undefined && importMode !== 'Legacy' && importMode !== 'PreserveOriginal')
    throw new CliError('usage.import-mode', 'valid ImportMode values are Legacy or PreserveOriginal');
  return {
    alias: Boolean(values.alias),
    reference: Boolean(values.reference),
    scheduled: Boolean(values.scheduled),
    insecure: Boolean(values.insecure),
    referencePolicy: policy === 'local' ? 'Local' : 'Source',
    importMode,
  };
}

/** `oc tag`'s detection: a registry host ⇒ pull spec; `@id` ⇒ stream image; `:tag` ⇒ stream tag; else pull spec. */
export function sourceKindOf(source: string, explicit: string | undefined): SourceKind {
  if (explicit !== undefined) {
    const kind = sourceKinds[explicit.toLowerCase()];
    if (!kind)
      throw new CliError(
        'usage.source',
        `invalid source "${explicit}": must be one of imagestreamtag, istag, imagestreamimage, isimage, docker, dockerimage`,
      );
    return kind;
  }
  let ref: ReturnType<typeof parseDockerImageReference>;
  try {
    ref = parseDockerImageReference(source);
  } catch (error) {
    throw new CliError('usage.reference', `invalid source "${source}": ${(error as Error).message}`);
  }
  if (ref.registry) return 'DockerImage';
  if (ref.id) return 'ImageStreamImage';
  if (ref.tag) return 'ImageStreamTag';
  return 'DockerImage';
}

function checkFlags(kind: SourceKind, flags: TagFlags): void {
  const importing = flags.scheduled || flags.insecure;
  if (flags.alias && (importing || flags.reference))
    throw new CliError('tag.flags', 'cannot set a container image tag as an alias and also set import flags');
  if (flags.alias && kind !== 'ImageStreamTag')
    throw new CliError('tag.flags', '--alias needs an image stream tag as the source');
  if (importing && kind !== 'DockerImage')
    throw new CliError('tag.flags', 'only container images can have importing flags set');
}

/** Splits `[ns/]stream:tag` or `[ns/]stream@id` of a stream source. */
function streamSource(source: string, separator: ':' | '@'): { namespace?: string; stream: string; rest: string } {
  const at = source.indexOf(separator);
  const path = source.slice(0, at);
  const rest = source.slice(at + 1);
  const parts = path.split('/');
  if (at <= 0 || !rest || parts.length > 2 || parts.some((p) => !p))
    throw new CliError(
      'usage.reference',
      `invalid source "${source}": must be [NAMESPACE/]STREAM${separator === ':' ? ':TAG' : '@sha256:…'}`,
    );
  return parts.length === 2
    ? { namespace: parts[0] as string, stream: parts[1] as string, rest }
    : { stream: parts[0] as string, rest };
}

async function resolveSource(
  client: KubeClient,
  source: string,
  kind: SourceKind,
  flags: TagFlags,
  destinations: StreamTagName[],
): Promise<TagSource> {
  if (kind === 'DockerImage') return { kind, from: { kind, name: source }, shown: source };
  if (kind === 'ImageStreamImage') {
    const s = streamSource(source, '@');
    const name = `${s.stream}@${s.rest}`;
    return { kind, from: { kind, name, ...(s.namespace ? { namespace: s.namespace } : {}) }, shown: source };
  }
  const s = streamSource(source, ':');
  const ns = s.namespace ? { namespace: s.namespace } : {};
  if (flags.alias) {
    if (destinations.some((d) => d.stream !== s.stream || (s.namespace && d.namespace !== s.namespace)))
      throw new CliError('tag.alias', 'cannot set alias across different Image Streams');
    return { kind, from: { kind, name: `${s.stream}:${s.rest}`, ...ns }, shown: source };
  }
  // A copy (oc's default): the destination gets the source's current image, read once for every destination.
  const namespace = s.namespace ?? client.namespace;
  let istag: ImageStreamTag;
  try {
    istag = await client.json<ImageStreamTag>('GET', apiPaths(namespace).imageStreamTag(s.stream, s.rest));
  } catch (error) {
    if (error instanceof ApiStatusError && error.httpStatus === 404)
      throw new CliError(
        'tag.no-image',
        `"${s.stream}:${s.rest}" is not currently pointing to an image, cannot use it as the source of a tag`,
      );
    throw error;
  }
  const digest = istag.image?.metadata?.name;
  if (!digest) {
    const pullSpec = istag.image?.dockerImageReference;
    if (!pullSpec)
      throw new CliError(
        'tag.no-image',
        `"${s.stream}:${s.rest}" is not currently pointing to an image, cannot use it as the source of a tag`,
      );
    return { kind: 'DockerImage', from: { kind: 'DockerImage', name: pullSpec }, shown: pullSpec };
  }
  const name = `${s.stream}@${digest}`;
  return {
    kind: 'ImageStreamImage',
    from: { kind: 'ImageStreamImage', name, ...ns },
    shown: s.namespace ? `${s.namespace}/${name}` : name,
  };
}

/** The spec tag `oc tag` sends: generation 0 forces an import of a pull spec; stream sources carry none. */
export function tagReference(tag: string, from: ObjectReference, kind: SourceKind, flags: TagFlags): TagReference {
  const importPolicy: NonNullable<TagReference['importPolicy']> = {};
  if (flags.scheduled) importPolicy.scheduled = true;
  if (flags.insecure) importPolicy.insecure = true;
  if (flags.importMode) importPolicy.importMode = flags.importMode as 'Legacy' | 'PreserveOriginal';
  return {
    name: tag,
    from,
    ...(kind === 'DockerImage' ? { generation: 0 } : {}),
    ...(flags.reference ? { reference: true } : {}),
    importPolicy,
    referencePolicy: { type: flags.referencePolicy },
  };
}

/** PUT of the ImageStreamTag, then POST on a 404/405 as oc falls back (the PUT creates it here). */
export async function putTag(client: KubeClient, dest: StreamTagName, tag: TagReference): Promise<ImageStreamTag> {
  const paths = apiPaths(dest.namespace);
  const body = {
    kind: 'ImageStreamTag',
    apiVersion: 'image.openshift.io/v1',
    metadata: { name: `${dest.stream}:${dest.tag}`, namespace: dest.namespace },
    tag,
  };
  try {
    return await client.json<ImageStreamTag>('PUT', paths.imageStreamTag(dest.stream, dest.tag), { body });
  } catch (error) {
    if (!(error instanceof ApiStatusError) || (error.httpStatus !== 405 && error.httpStatus !== 404)) throw error;
    return client.json<ImageStreamTag>('POST', paths.imageStreamTags, { body });
  }
}

function destName(dest: StreamTagName, namespace: string): string {
  const name = `${dest.stream}:${dest.tag}`;
  return dest.namespace === namespace ? name : `${dest.namespace}/${name}`;
}

function message(dest: StreamTagName, namespace: string, source: TagSource, flags: TagFlags): string {
  const name = destName(dest, namespace);
  if (flags.alias) return `Tag ${name} set up to track ${source.shown}.`;
  if (flags.scheduled && source.kind === 'DockerImage')
    return `Tag ${name} set to import ${source.shown} periodically.`;
  return `Tag ${name} set to ${source.shown}.`;
}

async function deleteTags(context: CommandContext, positionals: string[], values: OptionValues): Promise<void> {
  if (values.alias) throw new CliError('tag.flags', '--alias and --delete may not be both specified');
  if (values.source !== undefined) throw new CliError('tag.flags', '--source may not be used with --delete');
  if (values.scheduled || values.insecure || values.reference || values['reference-policy'] !== undefined)
    throw new CliError('tag.flags', 'import flags may not be used with --delete');
  if (values['import-mode'] !== undefined)
    throw new CliError('tag.flags', '--import-mode may not be used with --delete');
  if (!positionals.length) throw new CliError('usage.arguments', 'you must specify at least one tag to delete');
  const client = context.client();
  const destinations = positionals.map((d) => parseStreamTagName(d, client.namespace, 'tag'));
  for (const dest of destinations) {
    await client.json('DELETE', apiPaths(dest.namespace).imageStreamTag(dest.stream, dest.tag));
    context.output.out(`Deleted tag ${dest.namespace}/${dest.stream}:${dest.tag}.\n`);
  }
}
