import { z } from 'zod';
import type { FieldCause } from '../errors.ts';

// Shapes of the request bodies. Unknown fields in spec and tags are refused (a typo such as
// `refrence` must not be silently ignored); metadata and status tolerate what exported manifests carry.

const stringMap = z.record(z.string(), z.string());

const objectReference = z.object({
  kind: z.enum(['DockerImage', 'ImageStreamTag', 'ImageStreamImage'], {
    error: "valid values are 'DockerImage', 'ImageStreamImage', 'ImageStreamTag'",
  }),
  name: z.string(),
  namespace: z.string().optional(),
});

export const tagReferenceSchema = z.strictObject({
  name: z.string(),
  annotations: stringMap.nullish(),
  from: objectReference.optional(),
  reference: z.boolean().optional(),
  generation: z.number().int().min(0).nullish(),
  importPolicy: z
    .strictObject({
      insecure: z.boolean().optional(),
      scheduled: z.boolean().optional(),
      importMode: z
        .enum(['', 'Legacy', 'PreserveOriginal'], { error: "invalid import mode, valid modes are '', 'Legacy', 'PreserveOriginal'" })
        .optional(),
    })
    .optional(),
  referencePolicy: z
    .strictObject({ type: z.enum(['', 'Source', 'Local'], { error: 'valid values are "Source", "Local"' }) })
    .optional(),
});

const metadata = z.object({
  name: z.string().optional(),
  namespace: z.string().optional(),
  resourceVersion: z.string().optional(),
  uid: z.string().optional(),
  labels: stringMap.nullish(),
  annotations: stringMap.nullish(),
});

export const imageStreamSchema = z.object({
  apiVersion: z.literal('image.openshift.io/v1', { error: 'must be "image.openshift.io/v1"' }).optional(),
  kind: z.literal('ImageStream', { error: 'must be "ImageStream"' }).optional(),
  metadata,
  spec: z
    .strictObject({
      lookupPolicy: z.strictObject({ local: z.boolean() }).optional(),
      dockerImageRepository: z.string().optional(),
      tags: z.array(tagReferenceSchema).nullish(),
    })
    .optional(),
  status: z.unknown().optional(),
});

export const imageStreamTagSchema = z.object({
  apiVersion: z.literal('image.openshift.io/v1', { error: 'must be "image.openshift.io/v1"' }).optional(),
  kind: z.literal('ImageStreamTag', { error: 'must be "ImageStreamTag"' }).optional(),
  metadata: metadata.optional(),
  tag: tagReferenceSchema.nullish(),
});

export type TagReferenceInput = z.infer<typeof tagReferenceSchema>;
export type ImageStreamInput = z.infer<typeof imageStreamSchema>;
export type ImageStreamTagInput = z.infer<typeof imageStreamTagSchema>;

/** Parses `body` or returns the problems as field causes (`spec.tags[0].from.kind`). */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): { value: T } | { causes: FieldCause[] } {
  const result = schema.safeParse(body, { reportInput: true });
  if (result.success) return { value: result.data };
  return {
    causes: result.error.issues.map((issue) => {
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
      return keys.map((key): FieldCause => ({
        reason: issue.code === 'unrecognized_keys' ? 'FieldValueNotSupported' : issue.code === 'invalid_type' && issue.input === undefined ? 'FieldValueRequired' : 'FieldValueInvalid',
        field: fieldPath(key === undefined ? issue.path : [...issue.path, key]) || '<body>',
        message: issue.code === 'unrecognized_keys' ? 'unknown field' : issue.code === 'invalid_type' && issue.input === undefined ? 'Required value' : issue.message,
      }));
    }).flat(),
  };
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '');
}
