import { type FieldCause, InvalidError } from '../errors.ts';
import { validateTagPolicy } from '../policy/validate-tag-policy.ts';
import { InvalidReferenceError, parseDockerImageReference } from '../references/docker-image-reference.ts';
import { validateVerifyPolicy } from '../signatures/verify-policy.ts';
import { isObjectName, validateNamespace, validateStreamName, validateTagName } from './names.ts';
import type { ImageStreamInput, TagReferenceInput } from './schemas.ts';
import { streamSourceOf } from './source-references.ts';
import type { Labels, TagReference } from './types.ts';

/** Kubernetes' limit on all annotations of an object, which also keeps a stream well under DynamoDB's item size. */
const maxAnnotationBytes = 256 * 1024;
const qualifiedNameRegExp = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const imageIdRegExp = /^(?:[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:)?[0-9a-fA-F]+$/;

/** Kubernetes rules for label and annotation keys (`[prefix/]name`); label values are short names too. */
export function validateLabels(
  map: Labels | null | undefined,
  field: string,
  kind: 'labels' | 'annotations',
): FieldCause[] {
  const causes: FieldCause[] = [];
  const total = Object.entries(map ?? {}).reduce((sum, [k, v]) => sum + k.length + v.length, 0);
  if (total > maxAnnotationBytes)
    causes.push({
      reason: 'FieldValueTooLong',
      field,
      message: `must have at most ${maxAnnotationBytes} characters in all`,
    });
  for (const [key, value] of Object.entries(map ?? {})) {
    const slash = key.lastIndexOf('/');
    const prefix = slash >= 0 ? key.slice(0, slash) : '';
    const name = key.slice(slash + 1);
    const keyOk = name.length <= 63 && qualifiedNameRegExp.test(name) && (slash < 0 || isObjectName(prefix));
    if (!keyOk)
      causes.push({
        reason: 'FieldValueInvalid',
        field: `${field}[${JSON.stringify(key)}]`,
        message: 'must be a qualified name: [prefix/]name, alphanumeric, "-", "_" or "." inside, at most 63 characters',
      });
    if (kind === 'labels' && value !== '' && !(value.length <= 63 && qualifiedNameRegExp.test(value))) {
      causes.push({
        reason: 'FieldValueInvalid',
        field: `${field}[${JSON.stringify(key)}]`,
        message: 'a label value must be empty or at most 63 alphanumeric characters, "-", "_" or "."',
      });
    }
  }
  return causes;
}

/** Field checks of one spec tag (reference §2), for a tag of stream `stream` in `namespace`. */
export function validateTagReference(
  tag: TagReferenceInput,
  field: string,
  namespace: string,
  stream: string,
): FieldCause[] {
  const causes = [
    ...validateTagName(tag.name, `${field}.name`),
    ...validateLabels(tag.annotations, `${field}.annotations`, 'annotations'),
    ...validateTagPolicy(tag, field),
    ...validateVerifyPolicy(tag, field),
  ];
  const from = tag.from;
  if (!from) {
    if (tag.importPolicy?.scheduled)
      causes.push(
        invalid(
          `${field}.importPolicy.scheduled`,
          'only tags pointing to Docker repositories may be scheduled for background import',
        ),
      );
    return causes;
  }
  const fromField = `${field}.from`;
  if (from.name === '')
    causes.push({ reason: 'FieldValueRequired', field: `${fromField}.name`, message: 'Required value' });
  if (from.namespace) causes.push(...validateNamespace(from.namespace, `${fromField}.namespace`));
  if (from.kind !== 'DockerImage' && tag.importPolicy?.scheduled) {
    causes.push(
      invalid(
        `${field}.importPolicy.scheduled`,
        'only tags pointing to Docker repositories may be scheduled for background import',
      ),
    );
  }
  if (from.name === '') return causes;
  if (from.kind === 'DockerImage') {
    try {
      parseDockerImageReference(from.name);
    } catch (error) {
      if (!(error instanceof InvalidReferenceError)) throw error;
      causes.push(invalid(`${fromField}.name`, error.message));
    }
    return causes;
  }
  const source = streamSourceOf(from, namespace, stream);
  if (!source)
    return [
      ...causes,
      invalid(`${fromField}.name`, 'must be of the form <tag>, <stream>:<tag>, <id>, or <stream>@<id>'),
    ];
  if (source.stream !== stream || source.namespace !== namespace)
    causes.push(...validateStreamName(source.stream, source.namespace, `${fromField}.name`));
  if (source.tag !== undefined) {
    causes.push(...validateTagName(source.tag, `${fromField}.name`));
    if (source.namespace === namespace && source.stream === stream && source.tag === tag.name) {
      causes.push(invalid(`${fromField}.name`, 'a tag may not track itself'));
    }
  }
  if (source.id !== undefined && !imageIdRegExp.test(source.id))
    causes.push(invalid(`${fromField}.name`, 'must name an image by its digest or a prefix of it'));
  return causes;
}

/** Applies the server defaults: Source reference policy; PreserveOriginal import mode for DockerImage tags. */
export function withTagDefaults(tag: TagReferenceInput): TagReference {
  const out: TagReference = { name: tag.name };
  if (tag.annotations) out.annotations = tag.annotations;
  if (tag.from)
    out.from = {
      kind: tag.from.kind,
      name: tag.from.name,
      ...(tag.from.namespace ? { namespace: tag.from.namespace } : {}),
    };
  if (tag.reference) out.reference = true;
  if (tag.generation !== undefined) out.generation = tag.generation;
  const importMode =
    tag.importPolicy?.importMode || (tag.from?.kind === 'DockerImage' ? 'PreserveOriginal' : undefined);
  out.importPolicy = {
    ...(tag.importPolicy?.insecure ? { insecure: true } : {}),
    ...(tag.importPolicy?.scheduled ? { scheduled: true } : {}),
    ...(importMode ? { importMode } : {}),
  };
  out.referencePolicy = { type: tag.referencePolicy?.type || 'Source' };
  return out;
}

export interface ImageStreamWrite {
  name: string;
  labels: Labels;
  annotations: Labels;
  lookupLocal: boolean;
  dockerImageRepository: string;
  tags: TagReference[];
  resourceVersion?: string;
}

/** Checks a whole ImageStream manifest for `namespace`; throws InvalidError naming every bad field. */
export function validateImageStream(input: ImageStreamInput, namespace: string): ImageStreamWrite {
  const name = input.metadata.name ?? '';
  const causes = [
    ...validateStreamName(name, namespace),
    ...validateLabels(input.metadata.labels, 'metadata.labels', 'labels'),
    ...validateLabels(input.metadata.annotations, 'metadata.annotations', 'annotations'),
  ];
  const tags = input.spec?.tags ?? [];
  const seen = new Set<string>();
  tags.forEach((tag, i) => {
    causes.push(...validateTagReference(tag, `spec.tags[${i}]`, namespace, name));
    if (seen.has(tag.name))
      causes.push({
        reason: 'FieldValueDuplicate',
        field: `spec.tags[${i}].name`,
        message: `Duplicate value: "${tag.name}"`,
      });
    seen.add(tag.name);
  });
  const repository = input.spec?.dockerImageRepository ?? '';
  if (repository) {
    try {
      const ref = parseDockerImageReference(repository);
      if (ref.tag) causes.push(invalid('spec.dockerImageRepository', 'the repository name may not contain a tag'));
      if (ref.id) causes.push(invalid('spec.dockerImageRepository', 'the repository name may not contain an ID'));
    } catch (error) {
      if (!(error instanceof InvalidReferenceError)) throw error;
      causes.push(invalid('spec.dockerImageRepository', error.message));
    }
  }
  if (causes.length) throw new InvalidError('ImageStream', name, causes);
  return {
    name,
    labels: input.metadata.labels ?? {},
    annotations: input.metadata.annotations ?? {},
    lookupLocal: input.spec?.lookupPolicy?.local ?? false,
    dockerImageRepository: repository,
    tags: tags.map(withTagDefaults),
    ...(input.metadata.resourceVersion ? { resourceVersion: input.metadata.resourceVersion } : {}),
  };
}

function invalid(field: string, message: string): FieldCause {
  return { reason: 'FieldValueInvalid', field, message };
}
