import * as z from 'zod/mini';
import { lazy } from '../lazy.ts';
import { tagReferenceSchema } from '../streams/schemas.ts';

/** The body of POST imagestreamimports (`oc import-image`), image.openshift.io/v1 ImageStreamImport. */
export const imageStreamImportSchema = lazy(() => {
  const dockerImage = z.object({
    kind: z.literal('DockerImage', { error: 'only DockerImage is supported' }),
    name: z.string(),
  });
  const { importPolicy, referencePolicy } = tagReferenceSchema().shape;
  return z.object({
    apiVersion: z.optional(z.literal('image.openshift.io/v1', { error: 'must be "image.openshift.io/v1"' })),
    kind: z.optional(z.literal('ImageStreamImport', { error: 'must be "ImageStreamImport"' })),
    metadata: z.object({
      name: z.optional(z.string()),
      namespace: z.optional(z.string()),
      resourceVersion: z.optional(z.string()),
    }),
    spec: z.object({
      import: z.boolean(),
      images: z.optional(
        z.array(
          z.object({
            from: dockerImage,
            to: z.optional(z.object({ name: z.string() })),
            importPolicy,
            referencePolicy,
            includeManifest: z.optional(z.boolean()),
          }),
        ),
      ),
      repository: z.optional(
        z.object({ from: dockerImage, importPolicy, referencePolicy, includeManifest: z.optional(z.boolean()) }),
      ),
    }),
  });
});

export type ImageStreamImportInput = z.infer<ReturnType<typeof imageStreamImportSchema>>;
