import type { Principal } from '../../access/principal.ts';
import { InvalidError } from '../../errors.ts';
import { streamSourceOf } from '../../streams/source-references.ts';
import type { StreamRecord, StreamState, TagReference } from '../../streams/types.ts';
import type { StreamPorts } from './stream-ports.ts';
import { withAliases } from './with-aliases.ts';

/** Reads the other streams that spec tags copy from; reading across namespaces needs access there. */
export async function loadSources(
  ports: Pick<StreamPorts, 'streams' | 'authorize' | 'historyLimit'>,
  principal: Principal,
  stream: StreamRecord,
  specs: TagReference[],
): Promise<Map<string, StreamState>> {
  const sources = new Map<string, StreamState>();
  for (const spec of specs) {
    const source = spec.from && streamSourceOf(spec.from, stream.namespace, stream.name);
    if (!source || (source.namespace === stream.namespace && source.stream === stream.name)) continue;
    const key = `${source.namespace}/${source.stream}`;
    if (sources.has(key)) continue;
    if (source.namespace !== stream.namespace)
      await ports.authorize(principal, { verb: 'get', resource: 'imagestreams', namespace: source.namespace });
    const state = await ports.streams.getStream(source.namespace, source.stream);
    if (!state) {
      throw new InvalidError('ImageStreamTag', spec.name, [
        {
          reason: 'FieldValueNotFound',
          field: `spec.tags[${spec.name}].from`,
          message: `image stream "${key}" not found`,
        },
      ]);
    }
    sources.set(key, withAliases(state, ports.historyLimit));
  }
  return sources;
}
