import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiUnderTest, startApi } from '../support/api-under-test.ts';

const writers = 50;
const base = '/apis/image.openshift.io/v1/namespaces/contention';
const istag = (name: string) => `${base}/imagestreamtags/${name}`;
const tagBody = (tag: string, from: string, metadata: Record<string, unknown> = {}) => ({
  apiVersion: 'image.openshift.io/v1',
  kind: 'ImageStreamTag',
  metadata,
  // A reference tag records its pull spec at once, with no registry involved.
  tag: { name: tag, reference: true, from: { kind: 'DockerImage', name: from } },
});

interface HistoryEntry {
  dockerImageReference: string;
  generation: number;
}

let api: ApiUnderTest;
beforeAll(async () => {
  api = await startApi({ IMAGESTREAMS_IMPORT_TIMEOUT_MS: '0' });
});
afterAll(async () => {
  await api.close();
});

/** Status codes and how many answers had each, e.g. { 200: 50 }. */
function countByStatus(responses: { status: number }[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const r of responses) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
}

describe('writes without a resourceVersion under contention', { timeout: 60_000 }, () => {
  it('lands every one of 50 concurrent PUTs to one tag, keeping one consistent history', async () => {
    const start = await api.call('PUT', istag('one:t'), { body: tagBody('t', 'quay.io/a/b:start') });
    expect(start.status).toBe(200);
    const written = Array.from({ length: writers }, (_, i) => `quay.io/a/b:${i}`);

    const responses = await Promise.all(
      written.map((from) => api.call('PUT', istag('one:t'), { body: tagBody('t', from) })),
    );

    expect(countByStatus(responses)).toEqual({ 200: writers });
    const stream = (await api.call('GET', `${base}/imagestreams/one`)).json;
    const spec = stream.spec.tags.find((t: { name: string }) => t.name === 't');
    const items = stream.status.tags.find((t: { tag: string }) => t.tag === 't').items as HistoryEntry[];
    // Every write landed once, on top of the first one, and the newest entry is what the spec says now.
    expect(items.map((i) => i.dockerImageReference).sort()).toEqual([...written, 'quay.io/a/b:start'].sort());
    expect(items.at(-1)?.dockerImageReference).toBe('quay.io/a/b:start');
    expect(written).toContain(spec.from.name);
    expect(items[0]?.dockerImageReference).toBe(spec.from.name);
    expect(items[0]?.generation).toBe(spec.generation);
    // Newest first: each landed write took a newer generation than the one it replaced.
    for (let i = 1; i < items.length; i++)
      expect((items[i - 1] as HistoryEntry).generation).toBeGreaterThan((items[i] as HistoryEntry).generation);
  });

  it('lands every one of 50 concurrent PUTs to different tags of a stream that does not exist yet', async () => {
    const responses = await Promise.all(
      Array.from({ length: writers }, (_, i) =>
        api.call('PUT', istag(`fresh:t${i}`), { body: tagBody(`t${i}`, `quay.io/a/c:${i}`) }),
      ),
    );

    expect(countByStatus(responses)).toEqual({ 200: writers });
    const stream = (await api.call('GET', `${base}/imagestreams/fresh`)).json;
    expect(stream.spec.tags).toHaveLength(writers);
    for (const tag of stream.status.tags) {
      expect(tag.items).toHaveLength(1);
      expect(tag.items[0].dockerImageReference).toBe(`quay.io/a/c:${tag.tag.slice(1)}`);
    }
  });

  it('still answers 409 Conflict to clients that sent a resourceVersion, while blind writers contend', async () => {
    const first = await api.call('PUT', istag('mixed:t'), { body: tagBody('t', 'quay.io/a/d:first') });
    const seen = first.json.metadata.resourceVersion;
    const [blind, versioned] = await Promise.all([
      Promise.all(
        Array.from({ length: writers }, (_, i) =>
          api.call('PUT', istag('mixed:t'), { body: tagBody('t', `quay.io/a/d:${i}`) }),
        ),
      ),
      Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          api.call('PUT', istag('mixed:t'), {
            body: tagBody('t', `quay.io/a/d:v${i}`, { resourceVersion: seen }),
          }),
        ),
      ),
    ]);
    expect(countByStatus(blind)).toEqual({ 200: writers });
    // At most one versioned write can find the tag still at the version it names; the others are told so.
    expect(versioned.every((r) => r.status === 200 || r.status === 409)).toBe(true);
    expect(versioned.filter((r) => r.status === 200).length).toBeLessThanOrEqual(1);

    const stale = await api.call('PUT', istag('mixed:t'), {
      body: tagBody('t', 'quay.io/a/d:stale', { resourceVersion: seen }),
    });
    expect(stale.status).toBe(409);
    expect(stale.json).toMatchObject({ kind: 'Status', reason: 'Conflict', code: 409 });
    expect(stale.json.message).toContain('the object has been modified');
    const stream = (await api.call('GET', `${base}/imagestreams/mixed`)).json;
    expect(stream.spec.tags[0].from.name).not.toBe('quay.io/a/d:stale');
    expect(stream.status.tags[0].items.map((i: HistoryEntry) => i.dockerImageReference)).not.toContain(
      'quay.io/a/d:stale',
    );
  });
});
