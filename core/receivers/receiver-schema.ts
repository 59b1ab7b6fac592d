import * as z from 'zod/mini';
import { lazy } from '../lazy.ts';
import { receiverTypes } from './types.ts';

/** The body of POST / PUT receivers. */
export const receiverSchema = lazy(() =>
  z.object({
    apiVersion: z.optional(z.literal('imagestreams.dev/v1', { error: 'must be "imagestreams.dev/v1"' })),
    kind: z.optional(z.literal('Receiver', { error: 'must be "Receiver"' })),
    metadata: z.object({
      name: z.optional(z.string()),
      namespace: z.optional(z.string()),
      resourceVersion: z.optional(z.string()),
    }),
    spec: z.strictObject({
      type: z.enum(receiverTypes, { error: `must be one of ${receiverTypes.join(', ')}` }),
      secretRef: z.strictObject({ name: z.string() }),
      repositories: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(512))).check(z.maxLength(50))),
      registry: z.optional(z.string().check(z.minLength(1), z.maxLength(512))),
      suspend: z.optional(z.boolean()),
    }),
    status: z.optional(z.unknown()),
  }),
);

export type ReceiverInput = z.infer<ReturnType<typeof receiverSchema>>;
