import { trackAliases } from '../../streams/track-aliases.ts';
import type { StreamState } from '../../streams/types.ts';

/** A stream with its aliases brought in step, so a reader never sees an alias behind its target. */
export function withAliases(state: StreamState, historyLimit: number): StreamState {
  const tracked = trackAliases(state.tags, state.stream.namespace, state.stream.name, historyLimit);
  return tracked.changed.length ? { ...state, tags: tracked.tags } : state;
}
