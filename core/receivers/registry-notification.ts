import * as z from 'zod/mini';
import { lazy } from '../lazy.ts';
import { PushPayloadError } from './parse-push.ts';

/** One event of the CNCF registry's notification envelope, as far as the integrated registry needs it. */
export interface RegistryEvent {
  /** `push`, `pull`, `mount`, `delete`. */
  action: string;
  /** The repository path on the registry (`demo/python`), no host. */
  repository: string | undefined;
  tag: string | undefined;
  digest: string | undefined;
  mediaType: string | undefined;
  /** Who the registry authenticated for the request, when it authenticated anyone. */
  actor: string | undefined;
}

const text = (max: number) => z.optional(z.nullable(z.string().check(z.maxLength(max))));

// distribution's notifications envelope (docs/notifications.md): unknown fields are ignored.
const envelope = lazy(() =>
  z.object({
    events: z
      .array(
        z.object({
          action: z.string().check(z.maxLength(32)),
          target: z.optional(
            z.object({ repository: text(512), tag: text(128), digest: text(200), mediaType: text(256) }),
          ),
          actor: z.optional(z.nullable(z.object({ name: text(256) }))),
        }),
      )
      .check(z.maxLength(1000)),
  }),
);

/** Reads a notification body of the CNCF registry; PushPayloadError when it is not one. */
export function parseRegistryNotification(body: string): RegistryEvent[] {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new PushPayloadError();
  }
  const parsed = envelope().safeParse(json);
  if (!parsed.success) throw new PushPayloadError();
  return parsed.data.events.map((e) => ({
    action: e.action,
    repository: e.target?.repository || undefined,
    tag: e.target?.tag || undefined,
    digest: e.target?.digest || undefined,
    mediaType: e.target?.mediaType || undefined,
    actor: e.actor?.name || undefined,
  }));
}
