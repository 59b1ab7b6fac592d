import type { FieldCause } from '../errors.ts';
import { InvalidReferenceError, parseDockerImageReference } from '../references/docker-image-reference.ts';
import type { TagReferenceInput } from '../streams/schemas.ts';
import { annotationField, policyAnnotation } from './policy-annotations.ts';
import { parseTagPolicy } from './tag-policy.ts';
import { TagPolicyError } from './tag-policy-error.ts';

const needsRepository =
  'a policy follows a repository: from must be a DockerImage naming a repository without a tag or digest';

/** Field checks of a spec tag's policy annotations: each cause names the annotation at fault. */
export function validateTagPolicy(tag: TagReferenceInput, field: string): FieldCause[] {
  let policy: ReturnType<typeof parseTagPolicy>;
  try {
    policy = parseTagPolicy(tag.annotations);
  } catch (error) {
    if (!(error instanceof TagPolicyError)) throw error;
    return [{ reason: 'FieldValueInvalid', field: annotationField(field, error.annotation), message: error.detail }];
  }
  if (!policy) return [];
  const cause: FieldCause = {
    reason: 'FieldValueInvalid',
    field: annotationField(field, policyAnnotation),
    message: needsRepository,
  };
  if (tag.from?.kind !== 'DockerImage') return [cause];
  try {
    const ref = parseDockerImageReference(tag.from.name);
    return ref.tag || ref.id ? [cause] : [];
  } catch (error) {
    // A malformed reference has its own cause on from.name.
    if (error instanceof InvalidReferenceError) return [];
    throw error;
  }
}
