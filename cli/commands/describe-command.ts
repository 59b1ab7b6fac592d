import { describeImage } from '../../core/describe/describe-image.ts';
import type { ImageStreamImage } from '../../core/streams/types.ts';
import { apiPaths } from '../api-paths.ts';
import { CliError } from '../cli-error.ts';
import type { Command } from '../command.ts';
import { parseStreamTagName } from '../stream-tag-name.ts';

const kinds: Record<string, 'is' | 'istag' | 'isimage'> = {
  is: 'is',
  imagestream: 'is',
  imagestreams: 'is',
  istag: 'istag',
  imagestreamtag: 'istag',
  imagestreamtags: 'istag',
  isimage: 'isimage',
  imagestreamimage: 'isimage',
  imagestreamimages: 'isimage',
};

/** `oc describe is|istag|isimage`: the text the service's describe subresource renders. */
export const describeCommand: Command = {
  name: 'describe',
  summary: 'Show details of an image stream, tag or image',
  usage: ['describe (is|istag|isimage) NAME [NAME...]'],
  description: [
    'Show the details of image streams (is NAME), image stream tags (istag STREAM:TAG) or images of a',
    "stream's history (isimage STREAM@sha256:…, a unique prefix of the digest is enough), in oc's layout.",
  ].join('\n'),
  examples: [
    '# Tags, sources, history and import errors of a stream',
    '%p describe is python',
    '',
    '# The image a tag points to: layers, platforms, entrypoint, environment',
    '%p describe istag python:3.12',
    '',
    '# An image of the history, by digest',
    '%p describe isimage python@sha256:1a2b3c',
  ],
  options: {},
  subcommands: ['is', 'istag', 'isimage'],
  async run(context, positionals) {
    const [resource, ...names] = positionals;
    if (!resource)
      throw new CliError('usage.arguments', 'you must specify the type of resource to describe: is, istag or isimage');
    const kind = kinds[resource.toLowerCase()];
    if (!kind)
      throw new CliError(
        'usage.resource',
        `the server doesn't have a resource type "${resource}" (use is, istag or isimage)`,
      );
    if (!names.length) throw new CliError('usage.arguments', `you must specify the name of the ${kind} to describe`);
    const client = context.client();
    const texts: string[] = [];
    for (const name of names) {
      const paths = apiPaths(client.namespace);
      if (kind === 'is') texts.push(await client.text('GET', paths.imageStreamDescribe(name)));
      else if (kind === 'istag') {
        const { stream, tag } = parseStreamTagName(name, client.namespace, 'image stream tag');
        texts.push(await client.text('GET', paths.imageStreamTagDescribe(stream, tag)));
      } else {
        const at = name.indexOf('@');
        if (at <= 0 || at === name.length - 1)
          throw new CliError('usage.reference', `invalid image stream image "${name}": must be STREAM@sha256:…`);
        // No describe subresource for isimage: the same pure renderer the service uses, over its JSON.
        const image = await client.json<ImageStreamImage>(
          'GET',
          paths.imageStreamImage(name.slice(0, at), name.slice(at + 1)),
        );
        texts.push(describeImage(image.image, image.metadata.creationTimestamp, context.now()));
      }
    }
    context.output.out(texts.join('\n\n'));
  },
};
