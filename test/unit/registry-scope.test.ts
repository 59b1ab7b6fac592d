import { describe, expect, it } from 'vitest';
import { grantedScopes, parseScopes } from '../../core/registry-tokens/registry-scope.ts';

const registry = { host: '127.0.0.1:5000', prefix: '' };

describe('parseScopes', () => {
  it('reads repeated and space-separated scopes, keeps pull and push, and drops other resource types', () => {
    expect(
      parseScopes([
        'repository:demo/python:pull,push',
        'repository:demo/app:pull repository:other/x:delete,push,push',
        'registry:catalog:*',
        'repository:nothing',
      ]),
    ).toEqual([
      { type: 'repository', name: 'demo/python', actions: ['pull', 'push'] },
      { type: 'repository', name: 'demo/app', actions: ['pull'] },
      { type: 'repository', name: 'other/x', actions: ['push'] },
    ]);
  });
});

describe('grantedScopes', () => {
  const asked = parseScopes(['repository:demo/python:pull,push', 'repository:demo/app:pull', 'repository:x:pull']);

  it('grants a pull grant pull on its own streams only', async () => {
    const holder = { kind: 'grant', grant: { namespace: 'demo', streams: ['python'], access: 'pull' } } as const;
    expect(await grantedScopes(registry, asked, holder)).toEqual([
      { type: 'repository', name: 'demo/python', actions: ['pull'] },
    ]);
  });

  it('grants nothing to nobody, and nothing outside streams’ repositories even to the service', async () => {
    expect(await grantedScopes(registry, asked, undefined)).toEqual([]);
    expect(await grantedScopes(registry, asked, { kind: 'service' })).toEqual([
      { type: 'repository', name: 'demo/python', actions: ['pull', 'push'] },
      { type: 'repository', name: 'demo/app', actions: ['pull'] },
    ]);
  });

  it('asks the roles per stream and action', async () => {
    const holder = {
      kind: 'roles',
      allows: async (stream: { namespace: string; name: string }, action: string) =>
        stream.namespace === 'demo' && stream.name === 'a' && action === 'pull',
    } as const;
    expect(
      await grantedScopes(
        { host: 'r', prefix: 'imagestreams' },
        parseScopes(['repository:imagestreams/demo/a:pull,push', 'repository:demo/a:pull']),
        holder,
      ),
    ).toEqual([{ type: 'repository', name: 'imagestreams/demo/a', actions: ['pull'] }]);
  });
});
