import { describe, expect, it } from 'vitest';
import {
  isIntegratedHost,
  parseIntegratedRegistry,
  streamOfRepository,
  streamRepository,
} from '../../core/references/integrated-registry.ts';

describe('the integrated registry setting', () => {
  it.each([
    [
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/imagestreams',
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
      'imagestreams',
    ],
    ['127.0.0.1:5000', '127.0.0.1:5000', ''],
    ['registry.example.com/a/b', 'registry.example.com', 'a/b'],
    ['[::1]:5000', '[::1]:5000', ''],
  ])('%s is host %s and prefix "%s"', (text, host, prefix) => {
    expect(parseIntegratedRegistry(text)).toEqual({ host, prefix });
  });

  it.each([
    ['', 'no host'],
    ['127.0.0.1:0', 'port 0'],
    ['127.0.0.1:70000', 'port out of range'],
    ['host/Upper', 'an uppercase path'],
    ['host//x', 'an empty path component'],
    ['host/x/', 'a trailing slash'],
    ['https://host', 'a scheme'],
  ])('refuses %j (%s)', (text) => {
    expect(() => parseIntegratedRegistry(text)).toThrow();
  });
});

describe("a stream's repository", () => {
  const ecr = { host: '123456789012.dkr.ecr.eu-west-1.amazonaws.com', prefix: 'imagestreams' };
  const local = { host: '127.0.0.1:5000', prefix: '' };

  it('is <host>/<prefix>/<namespace>/<stream>, or nothing without a registry', () => {
    expect(streamRepository(ecr, 'demo', 'python')).toBe(
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/imagestreams/demo/python',
    );
    expect(streamRepository(local, 'demo', 'python')).toBe('127.0.0.1:5000/demo/python');
    expect(streamRepository(undefined, 'demo', 'python')).toBe('');
  });

  it('names its stream back, and nothing for paths no stream can own', () => {
    expect(streamOfRepository(ecr, 'imagestreams/demo/python')).toEqual({ namespace: 'demo', name: 'python' });
    expect(streamOfRepository(local, 'demo/my.app')).toEqual({ namespace: 'demo', name: 'my.app' });
    for (const path of ['other/demo/python', 'imagestreams/demo', 'imagestreams/demo/python/extra', 'imagestreams//x'])
      expect(streamOfRepository(ecr, path)).toBeUndefined();
    expect(streamOfRepository(local, 'library/python/x')).toBeUndefined();
  });
});

describe('whether a host is the integrated registry', () => {
  const registry = { host: 'Registry.Example:5000', prefix: '' };

  it.each([
    ['registry.example:5000', true],
    ['REGISTRY.EXAMPLE:5000', true],
    ['registry.example', false],
    ['registry.example:5001', false],
    ['other.example:5000', false],
  ])('%s: %s (host names compare without case, ports must match)', (host, expected) => {
    expect(isIntegratedHost(registry, host)).toBe(expected);
  });

  it('is never true without a registry', () => {
    expect(isIntegratedHost(undefined, 'registry.example:5000')).toBe(false);
  });
});
