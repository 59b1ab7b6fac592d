import * as z from 'zod/mini';
import { lazy } from '../lazy.ts';

const imageTriggerTarget = () => {
  const region = z.optional(
    z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as eu-west-1')),
  );
  const nonEmpty = z.string().check(z.minLength(1, 'Required value'), z.maxLength(1024));

  return z.union(
    [
      z.strictObject({ webhook: z.strictObject({ url: nonEmpty, secret: z.optional(z.string()) }) }),
      z.strictObject({
        codeBuild: z.strictObject({
          project: nonEmpty,
          imageEnvVar: z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')),
          region,
        }),
      }),
      z.strictObject({
        ecsService: z.strictObject({ cluster: nonEmpty, service: nonEmpty, container: nonEmpty, region }),
      }),
      z.strictObject({ lambdaFunction: z.strictObject({ functionName: nonEmpty, region }) }),
      z.strictObject({
        eventBridge: z.strictObject({
          busName: nonEmpty,
          detailType: z.enum(['Build Requested', 'Deployment Requested']),
          region,
        }),
      }),
    ],
    { error: 'must name exactly one target: webhook, codeBuild, ecsService, lambdaFunction or eventBridge' },
  );
};

/** The body of POST / PUT imagetriggers. */
export const imageTriggerSchema = lazy(() =>
  z.object({
    apiVersion: z.optional(z.literal('imagestreams.dev/v1', { error: 'must be "imagestreams.dev/v1"' })),
    kind: z.optional(z.literal('ImageTrigger', { error: 'must be "ImageTrigger"' })),
    metadata: z.object({
      name: z.optional(z.string()),
      namespace: z.optional(z.string()),
      resourceVersion: z.optional(z.string()),
    }),
    spec: z.strictObject({
      from: z.strictObject({
        kind: z.literal('ImageStreamTag', { error: 'only ImageStreamTag is supported' }),
        name: z.string(),
        namespace: z.optional(z.string()),
      }),
      paused: z.optional(z.boolean()),
      fireOnCreate: z.optional(z.boolean()),
      target: imageTriggerTarget(),
    }),
    status: z.optional(z.unknown()),
  }),
);

export type ImageTriggerInput = z.infer<ReturnType<typeof imageTriggerSchema>>;
