import * as z from 'zod/mini';
import type { FieldCause } from '../errors.ts';
import { lazy } from '../lazy.ts';

// Shapes of the request bodies (zod/mini: the same checks at a fraction of the bundle and import cost). Unknown fields in spec and tags are refused (a typo such as
// `refrence` must not be silently ignored); metadata and status tolerate what exported manifests carry.
// Each schema is built by its first parse (lazy): a cold start builds none of them.

const stringMap = lazy(() => z.record(z.string(), z.string()));

export const tagReferenceSchema = lazy(() =>
  z.strictObject({
    name: z.string(),
    annotations: z.nullish(stringMap()),
    from: z.optional(
      z.object({
        kind: z.enum(['DockerImage', 'ImageStreamTag', 'ImageStreamImage'], {
          error: "valid values are 'DockerImage', 'ImageStreamImage', 'ImageStreamTag'",
        }),
        name: z.string(),
        namespace: z.optional(z.string()),
      }),
    ),
    reference: z.optional(z.boolean()),
    generation: z.nullish(z.int().check(z.minimum(0))),
    importPolicy: z.optional(
      z.strictObject({
        insecure: z.optional(z.boolean()),
        scheduled: z.optional(z.boolean()),
        importMode: z.optional(
          z.enum(['', 'Legacy', 'PreserveOriginal'], {
            error: "invalid import mode, valid modes are '', 'Legacy', 'PreserveOriginal'",
          }),
        ),
      }),
    ),
    referencePolicy: z.optional(
      z.strictObject({ type: z.enum(['', 'Source', 'Local'], { error: 'valid values are "Source", "Local"' }) }),
    ),
  }),
);

const metadata = lazy(() =>
  z.object({
    name: z.optional(z.string()),
    namespace: z.optional(z.string()),
    resourceVersion: z.optional(z.string()),
    uid: z.optional(z.string()),
    labels: z.nullish(stringMap()),
    annotations: z.nullish(stringMap()),
  }),
);

export const imageStreamSchema = lazy(() =>
  z.object({
    apiVersion: z.optional(z.literal('image.openshift.io/v1', { error: 'must be "image.openshift.io/v1"' })),
    kind: z.optional(z.literal('ImageStream', { error: 'must be "ImageStream"' })),
    metadata: metadata(),
    spec: z.optional(
      z.strictObject({
        lookupPolicy: z.optional(z.strictObject({ local: z.boolean() })),
        dockerImageRepository: z.optional(z.string()),
        tags: z.nullish(z.array(tagReferenceSchema())),
      }),
    ),
    status: z.optional(z.unknown()),
  }),
);

export const imageStreamTagSchema = lazy(() =>
  z.object({
    apiVersion: z.optional(z.literal('image.openshift.io/v1', { error: 'must be "image.openshift.io/v1"' })),
    kind: z.optional(z.literal('ImageStreamTag', { error: 'must be "ImageStreamTag"' })),
    metadata: z.optional(metadata()),
    tag: z.nullish(tagReferenceSchema()),
  }),
);

export type TagReferenceInput = z.infer<ReturnType<typeof tagReferenceSchema>>;
export type ImageStreamInput = z.infer<ReturnType<typeof imageStreamSchema>>;
export type ImageStreamTagInput = z.infer<ReturnType<typeof imageStreamTagSchema>>;

/** A schema, or the function that builds it on first use (lazy). */
export type SchemaOf<T> = z.ZodMiniType<T> | (() => z.ZodMiniType<T>);

/** Parses `body` or returns the problems as field causes (`spec.tags[0].from.kind`). */
export function parseBody<T>(schema: SchemaOf<T>, body: unknown): { value: T } | { causes: FieldCause[] } {
  const result = (typeof schema === 'function' ? schema() : schema).safeParse(body, { reportInput: true });
  if (result.success) return { value: result.data };
  return { causes: result.error.issues.flatMap(causesOf) };
}

function causesOf(issue: z.core.$ZodIssue): FieldCause[] {
  const field = (path: readonly PropertyKey[]) => fieldPath(path) || '<body>';
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({
        reason: 'FieldValueNotSupported',
        field: field([...issue.path, key]),
        message: 'unknown field',
      }));
    case 'invalid_type':
      return issue.input === undefined
        ? [{ reason: 'FieldValueRequired', field: field(issue.path), message: 'Required value' }]
        : [
            {
              reason: 'FieldValueInvalid',
              field: field(issue.path),
              message: `expected ${issue.expected}, got ${describeValue(issue.input)}`,
            },
          ];
    case 'too_small':
      return [
        { reason: 'FieldValueInvalid', field: field(issue.path), message: `must be at least ${String(issue.minimum)}` },
      ];
    default:
      return [{ reason: 'FieldValueInvalid', field: field(issue.path), message: issue.message }];
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && !Number.isInteger(value)) return 'a fractional number';
  return typeof value;
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
    '',
  );
}
