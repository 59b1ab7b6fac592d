import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PushPayloadError } from '../../core/receivers/parse-push.ts';
import { parseRegistryNotification } from '../../core/receivers/registry-notification.ts';
import { localRegistryConfig } from '../../functions/local/local-registry.ts';

const fixture = readFileSync(new URL('../fixtures/hooks/distribution.json', import.meta.url), 'utf8');
const digest = `sha256:${'a'.repeat(64)}`;

describe('parseRegistryNotification', () => {
  it('reads each event of the CNCF registry envelope: action, repository, tag, digest, media type, actor', () => {
    const envelope = JSON.parse(
      fixture.replaceAll('{{repo}}', 'demo/web').replaceAll('{{tag}}', 'v1').replaceAll('{{digest}}', digest),
    ).body;
    envelope.events[1].actor = { name: 'alice' };
    expect(parseRegistryNotification(JSON.stringify(envelope))).toEqual([
      {
        action: 'push',
        repository: 'demo/web',
        tag: undefined,
        digest: `sha256:${'1'.repeat(64)}`,
        mediaType: 'application/octet-stream',
        actor: undefined,
      },
      {
        action: 'push',
        repository: 'demo/web',
        tag: 'v1',
        digest,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        actor: 'alice',
      },
    ]);
  });

  it.each([
    ['not JSON', 'events'],
    ['no events', '{}'],
    ['events not a list', '{"events":{}}'],
    ['an event without action', '{"events":[{"target":{}}]}'],
    ['a tag too long for any', `{"events":[{"action":"push","target":{"tag":"${'t'.repeat(200)}"}}]}`],
  ])('refuses %s', (_what, body) => {
    expect(() => parseRegistryNotification(body)).toThrow(PushPayloadError);
  });
});

describe('localRegistryConfig', () => {
  it('listens on loopback only and sends pushes, not pulls nor blobs, with the secret', () => {
    const yaml = localRegistryConfig({
      port: 5123,
      storageDir: '/data/registry/storage',
      notificationsUrl: 'https://127.0.0.1:8443/registry/notifications',
      secret: 's'.repeat(64),
    });
    expect(yaml).toContain('  addr: 127.0.0.1:5123\n');
    expect(yaml).toContain('rootdirectory: "/data/registry/storage"');
    expect(yaml).toContain('url: "https://127.0.0.1:8443/registry/notifications"');
    expect(yaml).toContain(`Authorization: ["Bearer ${'s'.repeat(64)}"]`);
    expect(yaml).toMatch(/ignore:\n\s+mediatypes: \[application\/octet-stream\]\n\s+actions: \[pull\]/);
    expect(yaml).not.toContain('auth:');
  });

  it('authenticates with tokens whose realm is the service, signed by the key whose certificate it names', () => {
    const yaml = localRegistryConfig({
      port: 5123,
      storageDir: '/data/registry/storage',
      notificationsUrl: 'https://127.0.0.1:8443/registry/notifications',
      secret: 's'.repeat(64),
      tokenAuth: { serviceUrl: 'https://127.0.0.1:8443', certFile: '/data/registry-token.crt' },
    });
    expect(yaml).toContain(
      'auth:\n  token:\n    realm: https://127.0.0.1:8443/registry/token\n    service: imagestreams-registry\n    issuer: imagestreams\n    rootcertbundle: /data/registry-token.crt\n',
    );
  });
});
