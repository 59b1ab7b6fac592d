import * as z from 'zod/mini';
import { lazy } from '../lazy.ts';

/** How many streams one RegistryToken may name: a token is for a deployment's few images, not a namespace dump. */
export const maxTokenStreams = 20;

export const registryTokenAccess = ['pull', 'push'] as const;
export type RegistryTokenAccess = (typeof registryTokenAccess)[number];

/** The body of POST registrytokens (create-only, like Kubernetes' TokenRequest). */
export const registryTokenSchema = lazy(() =>
  z.object({
    apiVersion: z.optional(z.literal('imagestreams.dev/v1', { error: 'must be "imagestreams.dev/v1"' })),
    kind: z.optional(z.literal('RegistryToken', { error: 'must be "RegistryToken"' })),
    metadata: z.optional(z.object({ name: z.optional(z.string()), namespace: z.optional(z.string()) })),
    spec: z.strictObject({
      access: z.enum(registryTokenAccess, { error: 'must be "pull" or "push"' }),
      imageStreams: z
        .array(z.string({ error: 'must be an image stream name' }))
        .check(
          z.minLength(1, { error: 'must name at least one image stream' }),
          z.maxLength(maxTokenStreams, { error: `must name at most ${maxTokenStreams} image streams` }),
        ),
    }),
  }),
);

export type RegistryTokenInput = z.infer<ReturnType<typeof registryTokenSchema>>;

/** What a registry credential allows: one access on the repositories of named streams of one namespace. */
export interface RegistryGrant {
  namespace: string;
  streams: readonly string[];
  access: RegistryTokenAccess;
  /** Pull only: repositories of the registry's pull-through cache the streams' tags record (cachedRepositories). */
  cached?: readonly string[];
}

/** Credentials for `docker login` / `skopeo --creds`, and when they stop working. */
export interface RegistryLogin {
  username: string;
  password: string;
  expiresAt: Date;
}
