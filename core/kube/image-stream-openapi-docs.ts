// What `kubectl explain imagestream…` prints: openshift/api's fields, described in our words. Fields that
// are ours and not OpenShift's say so.

const time = (description: string) => ({ type: 'string', format: 'date-time', description });

/** Descriptions of the ImageStream request fields, by dotted path. */
export const imageStreamFieldDescriptions: Readonly<Record<string, string>> = {
  spec: 'The desired tags of the stream and how they are looked up.',
  'spec.lookupPolicy': "Whether the stream's tags resolve short image names in workloads of this namespace.",
  'spec.lookupPolicy.local': 'If true, a bare name such as "python:3.12" resolves to this stream\'s tag.',
  'spec.dockerImageRepository': 'Optional repository this stream mirrors; tags are imported from it.',
  'spec.tags': 'The tags the stream tracks: each points at an image, another tag, or is filled by import.',
  'spec.tags.name': 'The tag name (at most 128 of letters, digits, "_", "." and "-", not starting with "." or "-").',
  'spec.tags.annotations': 'Annotations of the tag (null when empty, as OpenShift writes it).',
  'spec.tags.from':
    "Where the tag's image comes from: a DockerImage pull spec, an ImageStreamTag or an ImageStreamImage.",
  'spec.tags.from.kind': 'DockerImage, ImageStreamTag or ImageStreamImage.',
  'spec.tags.from.name': 'The pull spec, "stream:tag" or "stream@digest".',
  'spec.tags.from.namespace': "The namespace of the source stream; defaults to this stream's.",
  'spec.tags.reference': 'If true, the tag points at the source without importing it.',
  'spec.tags.generation': 'The spec generation this tag was last changed at; 0 or null asks for a new import.',
  'spec.tags.importPolicy': 'How images for this tag are imported.',
  'spec.tags.importPolicy.insecure': 'Allow plain HTTP and unverified TLS to the source registry.',
  'spec.tags.importPolicy.scheduled': 'Re-import the tag periodically so it follows its source.',
  'spec.tags.importPolicy.importMode':
    'Legacy (one platform image) or PreserveOriginal (the whole manifest list). Our default is PreserveOriginal (OpenShift defaults to Legacy).',
  'spec.tags.referencePolicy': 'Which pull spec workloads get for this tag.',
  'spec.tags.referencePolicy.type':
    "Source (the source registry's pull spec) or Local (through the stream's own repository).",
};

const tagEvent = {
  type: 'object',
  description: 'One image a tag pointed at.',
  required: ['created', 'dockerImageReference', 'image', 'generation'],
  properties: {
    created: time('When the tag moved to this image.'),
    dockerImageReference: { type: 'string', description: 'The pull spec of the image, by digest.' },
    image: { type: 'string', description: "The image's digest." },
    generation: { type: 'integer', format: 'int64', description: 'The spec generation that caused this entry.' },
    actor: {
      type: 'string',
      description:
        'Extension of imagestreams (not in OpenShift): who or what caused this entry — a principal, "scheduler" or "trigger".',
    },
    signedBy: {
      type: 'string',
      description:
        'Extension of imagestreams (not in OpenShift): who signed the image, for a tag with imagestreams.dev/verify — "key secret/<name> (SHA256:<key hint>)" or "<identity> (<issuer>)".',
    },
  },
};

const condition = {
  type: 'object',
  description: "Why the tag's latest import failed.",
  required: ['type', 'status', 'generation'],
  properties: {
    type: {
      type: 'string',
      description: 'ImportSuccess, or LocalReference: a Local tag whose image the integrated registry does not serve.',
    },
    status: { type: 'string', description: 'True, False or Unknown.' },
    lastTransitionTime: time('When the status last changed.'),
    reason: { type: 'string', description: 'A CamelCase reason, e.g. NotFound or RateLimited.' },
    message: { type: 'string', description: 'What failed.' },
    generation: { type: 'integer', format: 'int64', description: 'The spec generation the import was for.' },
  },
};

/** ImageStream status as the server writes it (the request schema leaves status open). */
export const imageStreamStatusSchema = {
  type: 'object',
  description: "The stream's tags as imported, newest image first; written by the server.",
  properties: {
    dockerImageRepository: { type: 'string', description: 'The repository of the stream in the integrated registry.' },
    publicDockerImageRepository: { type: 'string', description: 'The same repository as reachable from outside.' },
    tags: {
      type: 'array',
      description: 'The history of every tag.',
      items: {
        type: 'object',
        required: ['tag', 'items'],
        properties: {
          tag: { type: 'string', description: 'The tag name.' },
          items: { type: 'array', items: tagEvent, description: 'The images the tag pointed at, newest first.' },
          conditions: { type: 'array', items: condition, description: 'Import failures of this tag.' },
        },
      },
    },
  },
};
