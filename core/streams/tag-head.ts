import { trackAliases } from './track-aliases.ts';
import type { StreamState, TagEvent } from './types.ts';

/**
 * The image a tag points at now: the head of its history once aliases are brought in step with their targets
 * (an alias written before its target moved still resolves to the target's image). Undefined when the tag has no
 * image yet. What a trigger fires for, and what one created with fireOnCreate: false skips.
 */
export function tagHead(state: StreamState, tag: string, historyLimit: number): TagEvent | undefined {
  const tags = trackAliases(state.tags, state.stream.namespace, state.stream.name, historyLimit).tags;
  const head = tags.find((t) => t.name === tag)?.items[0];
  return head?.image ? head : undefined;
}
