import { streamSourceOf } from '../../streams/source-references.ts';
import type { StreamRecord, TagReference } from '../../streams/types.ts';

/** Tagging a stream from an image of its own history is a rollback; anything else is a plain tag. */
export function tagCause(stream: StreamRecord, spec: TagReference | null): 'tag' | 'rollback' {
  const from = spec?.from;
  if (from?.kind !== 'ImageStreamImage') return 'tag';
  const source = streamSourceOf(from, stream.namespace, stream.name);
  return source?.namespace === stream.namespace && source.stream === stream.name ? 'rollback' : 'tag';
}
