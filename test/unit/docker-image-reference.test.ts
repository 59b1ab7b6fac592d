import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  exactReference,
  InvalidReferenceError,
  parseDockerImageReference,
  pinnedReference,
  registryHost,
  withDefaults,
} from '../../core/references/docker-image-reference.ts';

const digest = `sha256:${'a'.repeat(64)}`;

describe('parseDockerImageReference', () => {
  it.each([
    ['python', { registry: '', namespace: '', name: 'python', tag: '', id: '' }],
    ['python:3.12', { registry: '', namespace: '', name: 'python', tag: '3.12', id: '' }],
    ['centos/python-35-centos7', { registry: '', namespace: 'centos', name: 'python-35-centos7', tag: '', id: '' }],
    [
      'docker.io/library/python:3.12',
      { registry: 'docker.io', namespace: 'library', name: 'python', tag: '3.12', id: '' },
    ],
    ['quay.io/team/sub/app:v1', { registry: 'quay.io', namespace: 'team', name: 'sub/app', tag: 'v1', id: '' }],
    ['localhost/app', { registry: 'localhost', namespace: '', name: 'app', tag: '', id: '' }],
    ['127.0.0.1:5000/demo/app:v1', { registry: '127.0.0.1:5000', namespace: 'demo', name: 'app', tag: 'v1', id: '' }],
    [`quay.io/team/app@${digest}`, { registry: 'quay.io', namespace: 'team', name: 'app', tag: '', id: digest }],
    [`quay.io/team/app:v1@${digest}`, { registry: 'quay.io', namespace: 'team', name: 'app', tag: 'v1', id: digest }],
    [
      'registry.example.com:443/a__b/c-d--e.f',
      { registry: 'registry.example.com:443', namespace: 'a__b', name: 'c-d--e.f', tag: '', id: '' },
    ],
  ])('parses %s', (spec, expected) => {
    expect(parseDockerImageReference(spec)).toEqual(expected);
  });

  it.each([
    ['', 'invalid reference format'],
    ['Python', 'repository name must be lowercase'],
    ['quay.io/Team/app', 'repository name must be lowercase'],
    ['UPPER/case', 'repository name must be lowercase'],
    ['app:', 'invalid reference format'],
    ['app:-bad', 'invalid reference format'],
    ['app@sha256:short', 'invalid reference format'],
    ['a//b', 'invalid reference format'],
    ['-app', 'invalid reference format'],
    [`app:${'x'.repeat(129)}`, 'invalid reference format'],
    [`quay.io/${'a'.repeat(250)}`, 'repository name must not be more than 255 characters'],
    ['app name', 'invalid reference format'],
  ])('refuses %j with "%s"', (spec, message) => {
    expect(() => parseDockerImageReference(spec)).toThrow(new InvalidReferenceError(message));
  });
});

describe('parseDockerImageReference: ports and digests', () => {
  it.each([
    ['127.0.0.1:99999/x:1', 'port 99999 is out of range: a registry port is 1 to 65535'],
    ['127.0.0.1:0/x:1', 'port 0 is out of range: a registry port is 1 to 65535'],
    ['quay.io:65536/a/b', 'port 65536 is out of range: a registry port is 1 to 65535'],
    [`app@sha256:${'a'.repeat(63)}`, 'a sha256 digest has 64 lowercase hexadecimal characters, not 63'],
    [`app@sha256:${'a'.repeat(65)}`, 'a sha256 digest has 64 lowercase hexadecimal characters, not 65'],
    [`app@sha256:<150000 hex digits>`, 'a sha256 digest has 64 lowercase hexadecimal characters, not 150000'],
    [`app@sha256:${'A'.repeat(64)}`, 'a sha256 digest has 64 lowercase hexadecimal characters'],
    [`app@sha384:${'a'.repeat(64)}`, 'a sha384 digest has 96 lowercase hexadecimal characters, not 64'],
    [`app@sha512:${'a'.repeat(96)}`, 'a sha512 digest has 128 lowercase hexadecimal characters, not 96'],
    [`app@md5:${'a'.repeat(32)}`, 'unsupported digest algorithm "md5": use sha256, sha384 or sha512'],
  ])('refuses %s', (spelled, message) => {
    const spec = spelled.replace('<150000 hex digits>', 'a'.repeat(150_000));
    expect(() => parseDockerImageReference(spec)).toThrow(new InvalidReferenceError(message));
  });

  it.each([
    ['quay.io:1/a/b', 'quay.io:1'],
    ['quay.io:65535/a/b', 'quay.io:65535'],
    ['[::1]:5000/a/b', '[::1]:5000'],
  ])('accepts the port of %s', (spec, registry) => {
    expect(parseDockerImageReference(spec).registry).toBe(registry);
  });

  it.each([
    ['sha256', 64],
    ['sha384', 96],
    ['sha512', 128],
  ])('accepts a %s digest of %i characters', (algorithm, length) => {
    const id = `${algorithm}:${'0123456789abcdef'.repeat(8).slice(0, length)}`;
    expect(parseDockerImageReference(`quay.io/a/b@${id}`).id).toBe(id);
  });

  it('accepts exactly the ports 1 to 65535', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (port) => {
        const accepted = (() => {
          try {
            parseDockerImageReference(`registry.example.com:${port}/a/b:v1`);
            return true;
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidReferenceError);
            return false;
          }
        })();
        expect(accepted).toBe(port >= 1 && port <= 65535);
      }),
      { numRuns: 1000 },
    );
  });

  it('accepts a sha256 digest only at 64 hexadecimal characters', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), (length) => {
        const spec = `quay.io/a/b@sha256:${'f'.repeat(length)}`;
        if (length === 64) expect(parseDockerImageReference(spec).id).toBe(`sha256:${'f'.repeat(64)}`);
        else expect(() => parseDockerImageReference(spec)).toThrow(InvalidReferenceError);
      }),
    );
  });
});

describe('withDefaults', () => {
  it('adds Docker Hub, library/ and latest to a bare name', () => {
    expect(withDefaults(parseDockerImageReference('python'))).toEqual({
      registry: 'docker.io',
      namespace: 'library',
      name: 'python',
      tag: 'latest',
      id: '',
    });
  });

  it('adds no tag when a digest pins the image', () => {
    expect(withDefaults(parseDockerImageReference(`python@${digest}`)).tag).toBe('');
  });

  it('leaves other registries without library/', () => {
    expect(withDefaults(parseDockerImageReference('quay.io/app'))).toEqual({
      registry: 'quay.io',
      namespace: '',
      name: 'app',
      tag: 'latest',
      id: '',
    });
  });

  it('connects to registry-1.docker.io for every Docker Hub alias', () => {
    for (const spec of ['python', 'docker.io/library/python', 'index.docker.io/library/python']) {
      expect(registryHost(withDefaults(parseDockerImageReference(spec)))).toBe('registry-1.docker.io');
    }
    expect(registryHost(parseDockerImageReference('quay.io/a/b'))).toBe('quay.io');
  });
});

describe('formatting', () => {
  it('keeps the user spelling when pinning to a digest', () => {
    expect(pinnedReference(parseDockerImageReference('centos/python-35-centos7:latest'), digest)).toBe(
      `centos/python-35-centos7@${digest}`,
    );
  });

  it('formats tag and digest together as spelled', () => {
    expect(exactReference(parseDockerImageReference(`quay.io/team/app:v1@${digest}`))).toBe(
      `quay.io/team/app:v1@${digest}`,
    );
  });
});

const component = fc.stringMatching(/^[a-z0-9]{1,8}(?:[._-][a-z0-9]{1,8}){0,2}$/);
const tag = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/);
const host = fc.constantFrom('', 'quay.io', 'localhost:5000', 'registry.example.com', '127.0.0.1:5000');

describe('parseDockerImageReference properties', () => {
  it('formats back to what it parsed', () => {
    fc.assert(
      fc.property(
        host,
        fc.array(component, { minLength: 1, maxLength: 3 }),
        fc.option(tag, { nil: '' }),
        fc.option(fc.stringMatching(/^[0-9a-f]{64}$/), { nil: '' }),
        (registry, path, t, hex) => {
          const spec =
            [registry, ...path].filter(Boolean).join('/') + (t ? `:${t}` : '') + (hex ? `@sha256:${hex}` : '');
          const ref = parseDockerImageReference(spec);
          expect(exactReference(ref)).toBe(spec);
          expect(ref.tag).toBe(t);
        },
      ),
    );
  });

  it('never throws anything but InvalidReferenceError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (spec) => {
        try {
          const ref = parseDockerImageReference(spec);
          expect(ref.name).not.toBe('');
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidReferenceError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
