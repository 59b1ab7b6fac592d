import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamRecord } from '../../core/streams/types.ts';
import { type ApiUnderTest, startApi, tokens } from '../support/api-under-test.ts';
import { type Kubectl, kubectlFor } from '../support/kubectl.ts';
import { streamRecord } from '../support/stream-record.ts';

// Lists as kube-apiserver answers them (reference/kubernetes-api.md §3, §4): paging with limit/continue,
// selectors, resourceVersion, and Tables. Expected rows and messages are written out here.
const aTable =
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const image = '/apis/image.openshift.io/v1/namespaces';
const t0 = new Date('2026-11-27T10:00:00Z');
let now = t0;

let api: ApiUnderTest;
let kubectl: Kubectl;

const digest = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;

/** Records an imported image on a tag, as an import would, through the store port. */
async function importTag(namespace: string, stream: string, tag: string, n: number, at: Date): Promise<void> {
  const state = await api.stores.streams.getStream(namespace, stream);
  if (!state) throw new Error(`no stream ${stream}`);
  const old = state.tags.find((t) => t.name === tag);
  await api.stores.streams.putTag(state.stream, {
    name: tag,
    spec: old?.spec ?? null,
    items: [
      {
        created: at.toISOString().replace(/\.\d+Z$/, 'Z'),
        dockerImageReference: `quay.io/lists/${stream}@${digest(n)}`,
        image: digest(n),
        generation: state.stream.generation,
      },
    ],
    conditions: [],
    version: old?.version ?? 0,
  });
}

async function createStream(namespace: string, name: string, labels: Record<string, string> = {}) {
  const response = await api.call('POST', `${image}/${namespace}/imagestreams`, {
    body: { apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', metadata: { name, labels }, spec: {} },
  });
  expect(response.status).toBe(201);
}

/** Every page of a list, following continue tokens; each page's answer is kept. */
async function allPages(path: string, limit: number) {
  const pages: { items: { metadata: { name: string } }[]; metadata: Record<string, unknown> }[] = [];
  let token: string | undefined;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const response = await api.call(
      'GET',
      `${path}${separator}limit=${limit}${token ? `&continue=${encodeURIComponent(token)}` : ''}`,
    );
    expect(response.status, response.text).toBe(200);
    pages.push(response.json);
    token = response.json.metadata.continue;
  } while (token);
  return pages;
}

beforeAll(async () => {
  api = await startApi(
    { IMAGESTREAMS_IMPORT_TIMEOUT_MS: '0', IMAGESTREAMS_CREDENTIALS_KEY: randomBytes(32).toString('base64') },
    { now: () => now },
  );
  // demo: python (3 tags), ruby (1 tag), go (none), and a stream with 25 tags that spans several store pages.
  await createStream('demo', 'python', { app: 'python' });
  await createStream('demo', 'ruby', { app: 'ruby' });
  await createStream('demo', 'go');
  await createStream('demo', 'many');
  await importTag('demo', 'python', '3.11', 1, new Date('2026-11-27T07:00:00Z'));
  await importTag('demo', 'python', '3.12', 2, new Date('2026-11-27T08:00:00Z'));
  await importTag('demo', 'python', 'latest', 2, new Date('2026-11-27T08:00:00Z'));
  await importTag('demo', 'ruby', '3', 3, new Date('2026-11-26T10:00:00Z'));
  for (let i = 0; i < 25; i++) await importTag('demo', 'many', `t${String(i).padStart(2, '0')}`, 100 + i, t0);
  kubectl = await kubectlFor({ url: api.url, ca: api.ca, token: tokens.alice, namespace: 'demo' });
}, 60_000);
afterAll(async () => {
  await kubectl?.close();
  await api?.close();
});

describe('paging (limit and continue)', () => {
  it('pages streams whole, in name order, with one resourceVersion for every page of the list', async () => {
    now = new Date(t0.getTime() + 1000);
    const pages = await allPages(`${image}/demo/imagestreams`, 1);
    expect(pages.map((p) => p.items.map((s) => s.metadata.name))).toEqual([['go'], ['many'], ['python'], ['ruby']]);
    const many = pages[1]?.items[0] as unknown as { status: { tags: unknown[] } };
    expect(many.status.tags).toHaveLength(25);
    expect(new Set(pages.map((p) => p.metadata.resourceVersion))).toEqual(new Set([String(t0.getTime() + 1000)]));
    expect(pages.at(-1)?.metadata.continue).toBeUndefined();
  });

  it('pages image stream tags, also inside a stream, without repeating or skipping one', async () => {
    const pages = await allPages(`${image}/demo/imagestreamtags`, 4);
    const names = pages.flatMap((p) => p.items.map((t) => t.metadata.name));
    const expected = [
      ...Array.from({ length: 25 }, (_, i) => `many:t${String(i).padStart(2, '0')}`),
      'python:3.11',
      'python:3.12',
      'python:latest',
      'ruby:3',
    ];
    expect(names).toEqual(expected);
    expect(pages.map((p) => p.items.length)).toEqual([4, 4, 4, 4, 4, 4, 4, 1]);
  });

  it('reads one page from the store, not the whole namespace', async () => {
    await createStreams('wide', 1050);
    api.dynalite.requests.clear();
    const whole = await api.call('GET', `${image}/wide/imagestreams`);
    expect(whole.json.items).toHaveLength(1050);
    // The whole namespace does not fit in one Query (1,000 items at most): it takes two.
    expect(api.dynalite.requests.get('Query')).toBe(2);
    api.dynalite.requests.clear();
    const page = await api.call('GET', `${image}/wide/imagestreams?limit=2`);
    expect(page.json.items.map((s: { metadata: { name: string } }) => s.metadata.name)).toEqual(['s0000', 's0001']);
    expect(page.json.metadata.continue).toEqual(expect.any(String));
    expect(api.dynalite.requests.get('Query')).toBe(1);
  });

  it('answers the whole list for limit=0 or no limit', async () => {
    for (const query of ['', '?limit=0']) {
      const response = await api.call('GET', `${image}/demo/imagestreams${query}`);
      expect(response.json.items).toHaveLength(4);
      expect(response.json.metadata.continue).toBeUndefined();
      // One page: the digest of its items, which a watch resumes from (a paged list carries its read time).
      expect(response.json.metadata.resourceVersion).toEqual(expect.stringMatching(/^[\w-]{22}$/));
    }
  });

  it('pages secrets, role bindings, triggers and namespaces', async () => {
    now = t0;
    for (const name of ['a', 'b', 'c']) {
      const secret = await api.call('POST', '/api/v1/namespaces/demo/secrets', {
        body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: `s-${name}` }, stringData: { token: 'x' } },
      });
      expect(secret.status).toBe(201);
      const binding = await api.call('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/demo/rolebindings', {
        body: {
          metadata: { name: `rb-${name}` },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
          subjects: [{ kind: 'User', name: `u-${name}` }],
        },
      });
      expect(binding.status).toBe(201);
      const trigger = await api.call('POST', '/apis/imagestreams.dev/v1/namespaces/demo/imagetriggers', {
        body: {
          apiVersion: 'imagestreams.dev/v1',
          kind: 'ImageTrigger',
          metadata: { name: `tr-${name}` },
          spec: {
            from: { kind: 'ImageStreamTag', name: 'python:latest' },
            target: { eventBridge: { busName: 'b', detailType: 'Build Requested' } },
          },
        },
      });
      expect(trigger.status, trigger.text).toBe(201);
      const namespace = await api.call('POST', '/api/v1/namespaces', {
        body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `ns-${name}` } },
      });
      expect(namespace.status).toBe(201);
    }
    const names = async (path: string) =>
      (await allPages(path, 2)).map((p) => p.items.map((i) => i.metadata.name).join(','));
    expect(await names('/api/v1/namespaces/demo/secrets')).toEqual(['s-a,s-b', 's-c']);
    expect(await names('/apis/rbac.authorization.k8s.io/v1/namespaces/demo/rolebindings')).toEqual([
      'rb-a,rb-b',
      'rb-c',
    ]);
    expect(await names('/apis/imagestreams.dev/v1/namespaces/demo/imagetriggers')).toEqual(['tr-a,tr-b', 'tr-c']);
    expect(await names('/api/v1/namespaces')).toEqual(['ns-a,ns-b', 'ns-c']);
  });
});

describe('selectors', () => {
  it('filters by label selector, across pages', async () => {
    const pages = await allPages(
      `${image}/demo/imagestreams?labelSelector=${encodeURIComponent('app in (python,ruby)')}`,
      1,
    );
    expect(pages.flatMap((p) => p.items.map((s) => s.metadata.name))).toEqual(['python', 'ruby']);
    const absent = await api.call('GET', `${image}/demo/imagestreams?labelSelector=!app`);
    expect(absent.json.items.map((s: { metadata: { name: string } }) => s.metadata.name)).toEqual(['go', 'many']);
  });

  it('filters image stream tags by their stream’s labels', async () => {
    const response = await api.call('GET', `${image}/demo/imagestreamtags?labelSelector=app%3Druby`);
    expect(response.json.items.map((t: { metadata: { name: string } }) => t.metadata.name)).toEqual(['ruby:3']);
  });

  it('filters by metadata.name and metadata.namespace', async () => {
    const byName = await api.call('GET', `${image}/demo/imagestreams?fieldSelector=metadata.name%3Druby`);
    expect(byName.json.items.map((s: { metadata: { name: string } }) => s.metadata.name)).toEqual(['ruby']);
    const notDemo = await api.call('GET', `${image}/demo/imagestreams?fieldSelector=metadata.namespace!%3Ddemo`);
    expect(notDemo.json.items).toEqual([]);
  });

  it.each([
    ['labelSelector', 'app in (a', "unable to parse requirement: found '', expected: ',', ')' or identifier"],
    ['labelSelector', 'a b', "found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ['fieldSelector', 'metadata.name', "invalid selector: 'metadata.name'; can't understand 'metadata.name'"],
    [
      'fieldSelector',
      'spec.tags=x',
      '"spec.tags" is not a known field selector: only "metadata.name", "metadata.namespace"',
    ],
  ])('answers %s=%s with 400 in kube-apiserver’s words', async (parameter, value, message) => {
    const response = await api.call('GET', `${image}/demo/imagestreams?${parameter}=${encodeURIComponent(value)}`);
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'BadRequest', code: 400 });
    expect(response.json.message).toContain(message);
  });
});

describe('bad list parameters', () => {
  it.each([
    ['-1', 'limit: Invalid value: "-1": must be greater than or equal to 0'],
    ['ten', 'limit: Invalid value: "ten": must be an integer'],
    ['1.5', 'limit: Invalid value: "1.5": must be an integer'],
  ])('answers limit=%s with 400', async (limit, message) => {
    const response = await api.call('GET', `${image}/demo/imagestreams?limit=${limit}`);
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ kind: 'Status', reason: 'BadRequest', message });
  });

  it('refuses a tampered continue token, and one issued for another list', async () => {
    const first = await api.call('GET', `${image}/demo/imagestreams?limit=1`);
    const token: string = first.json.metadata.continue;
    const [payload, mac] = token.split('.') as [string, string];
    const moved = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), p: '{"after":"python"}' }),
    ).toString('base64url');
    const foreign = [
      `${image}/demo/imagestreams?limit=1&continue=${moved}.${mac}`,
      `${image}/demo/imagestreams?limit=1&continue=${token.slice(0, -2)}xx`,
      `${image}/demo/imagestreams?limit=1&continue=not-a-token`,
      `${image}/wide/imagestreams?limit=1&continue=${token}`,
      `${image}/demo/imagestreamtags?limit=1&continue=${token}`,
      `${image}/demo/imagestreams?limit=1&labelSelector=app&continue=${token}`,
    ];
    for (const path of foreign) {
      const response = await api.call('GET', path);
      expect(response.status, path).toBe(400);
      expect(response.json.message, path).toMatch(/^invalid continue token/);
    }
    const next = await api.call('GET', `${image}/demo/imagestreams?limit=1&continue=${token}`);
    expect(next.status).toBe(200);
    expect(next.json.items[0].metadata.name).toBe('many');
  });
});

describe('Table answers', () => {
  const table = (path: string, accept = aTable) => api.call('GET', path, { headers: { accept } });

  it('lists image streams with NAME, IMAGE REPOSITORY, TAGS and UPDATED', async () => {
    now = new Date('2026-11-27T10:00:00Z');
    const response = await table(`${image}/demo/imagestreams?labelSelector=app`);
    expect(response.status).toBe(200);
    expect(response.json.kind).toBe('Table');
    expect(response.json.apiVersion).toBe('meta.k8s.io/v1');
    expect(response.json.columnDefinitions.map((c: { name: string }) => c.name)).toEqual([
      'Name',
      'Image Repository',
      'Tags',
      'Updated',
    ]);
    expect(response.json.rows.map((r: { cells: unknown[] }) => [r.cells[0], r.cells[2], r.cells[3]])).toEqual([
      ['python', '3.12,latest,3.11', '2 hours ago'],
      ['ruby', '3', '24 hours ago'],
    ]);
    expect(response.json.rows[0].object).toMatchObject({
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { name: 'python', namespace: 'demo', labels: { app: 'python' } },
    });
    expect(response.json.metadata.resourceVersion).toEqual(expect.stringMatching(/^[\w-]{22}$/));
    expect(response.headers.get('server-timing')).toMatch(/^app;dur=\d+\.\d\d$/);
  });

  it('pages a Table like a list', async () => {
    const first = await table(`${image}/demo/imagestreams?limit=3`);
    expect(first.json.rows).toHaveLength(3);
    const rest = await table(
      `${image}/demo/imagestreams?limit=3&continue=${encodeURIComponent(first.json.metadata.continue)}`,
    );
    expect(rest.json.rows.map((r: { cells: unknown[] }) => r.cells[0])).toEqual(['ruby']);
    expect(rest.json.metadata.continue).toBeUndefined();
  });

  it('answers a single object as a one-row Table, with includeObject as asked', async () => {
    const istag = await table(`${image}/demo/imagestreamtags/python:3.11?includeObject=Object`);
    expect(istag.json.columnDefinitions.map((c: { name: string }) => c.name)).toEqual([
      'Name',
      'Image Reference',
      'Updated',
      'Image Name',
    ]);
    expect(istag.json.rows).toEqual([
      {
        cells: ['python:3.11', `quay.io/lists/python@${digest(1)}`, '3 hours ago', digest(1)],
        object: expect.objectContaining({ kind: 'ImageStreamTag' }),
      },
    ]);
    const none = await table(`${image}/demo/imagestreams/go?includeObject=None`);
    expect(none.json.rows).toEqual([{ cells: ['go', expect.any(String), '', ''] }]);
    const bad = await table(`${image}/demo/imagestreams?includeObject=Everything`);
    expect(bad.status).toBe(400);
    expect(bad.json.message).toContain('includeObject');
  });

  it('prints secrets, role bindings, namespaces and triggers as kubectl does', async () => {
    now = new Date(t0.getTime() + 90 * 60_000);
    const cells = async (path: string) =>
      (await table(path)).json.rows.map((r: { cells: unknown[] }) => r.cells).slice(0, 1)[0];
    expect(await cells('/api/v1/namespaces/demo/secrets')).toEqual(['s-a', 'Opaque', null, '90m']);
    expect(await cells('/apis/rbac.authorization.k8s.io/v1/namespaces/demo/rolebindings')).toEqual([
      'rb-a',
      'ClusterRole/view',
      '90m',
      'u-a',
      '',
      '',
    ]);
    expect(await cells('/api/v1/namespaces')).toEqual(['ns-a', 'Active', '90m']);
    const trigger = await cells('/apis/imagestreams.dev/v1/namespaces/demo/imagetriggers/tr-a');
    expect(trigger.slice(0, 3)).toEqual(['tr-a', 'demo/python:latest', 'eventBridge']);
  });

  it('answers 406 to a Table version it does not serve, when nothing else is acceptable', async () => {
    const response = await table(`${image}/demo/imagestreams`, 'application/json;as=Table;v=v1beta1;g=meta.k8s.io');
    expect(response.status).toBe(406);
    expect(response.json).toMatchObject({ kind: 'Status', reason: 'NotAcceptable' });
  });
});

describe('kubectl get', () => {
  it('prints image streams with oc’s columns', async () => {
    now = new Date('2026-11-27T10:00:00Z');
    const result = await kubectl.run(['get', 'is', '-n', 'demo', '-l', 'app']);
    expect(result.stderr).toBe('');
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]?.split(/\s{2,}/)).toEqual(['NAME', 'IMAGE REPOSITORY', 'TAGS', 'UPDATED']);
    expect(lines[1]).toMatch(/^python\s+.*\s3\.12,latest,3\.11\s+2 hours ago$/);
    expect(lines[2]).toMatch(/^ruby\s+.*\s3\s+24 hours ago$/);
  });

  it('prints image stream tags with NAME, IMAGE REFERENCE and UPDATED', async () => {
    const result = await kubectl.run(['get', 'istag', '-n', 'demo', '-l', 'app=python']);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]?.split(/\s{2,}/)).toEqual(['NAME', 'IMAGE REFERENCE', 'UPDATED']);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/))).toEqual([
      ['python:3.11', `quay.io/lists/python@${digest(1)}`, '3 hours ago'],
      ['python:3.12', `quay.io/lists/python@${digest(2)}`, '2 hours ago'],
      ['python:latest', `quay.io/lists/python@${digest(2)}`, '2 hours ago'],
    ]);
  });

  it('selects by label and by field, and prints names', async () => {
    const byLabel = await kubectl.run(['get', 'is', '-n', 'demo', '-l', 'app=python', '-o', 'name']);
    expect(byLabel.stdout).toBe('imagestream.image.openshift.io/python\n');
    const byField = await kubectl.run([
      'get',
      'is',
      '-n',
      'demo',
      '--field-selector',
      'metadata.name=ruby',
      '-o',
      'name',
    ]);
    expect(byField.stdout).toBe('imagestream.image.openshift.io/ruby\n');
    const all = await kubectl.run(['get', 'is', '-n', 'demo', '-o', 'name']);
    expect(all.stdout.trim().split('\n')).toEqual(
      ['go', 'many', 'python', 'ruby'].map((n) => `imagestream.image.openshift.io/${n}`),
    );
  });

  it('relays a bad selector’s 400 as kubectl words it', async () => {
    const result = await kubectl.run(['get', 'is', '-n', 'demo', '--field-selector', 'spec.x=1']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('"spec.x" is not a known field selector');
  });

  it('lists a 600-stream namespace in chunks of 500: 600 rows from 2 list requests', async () => {
    const records = await createStreams('big', 600);
    api.requests.length = 0;
    const result = await kubectl.run(['get', 'is', '-n', 'big', '--no-headers']);
    expect(result.stderr).toBe('');
    const rows = result.stdout.trim().split('\n');
    expect(rows.map((row) => row.split(/\s+/)[0])).toEqual(records.map((r) => r.name));
    const lists = api.requests.filter((r) => r.method === 'GET' && r.path === `${image}/big/imagestreams`);
    expect(lists).toHaveLength(2);
    expect(lists[0]?.query).toBe('limit=500');
    expect(lists[1]?.query).toMatch(/^continue=[^&]+&limit=500$/);
  }, 60_000);
});

/** Many streams at once, straight through the store port (`s0000`, `s0001`, …). */
async function createStreams(namespace: string, count: number): Promise<StreamRecord[]> {
  const records: StreamRecord[] = Array.from({ length: count }, (_, i) =>
    streamRecord({
      namespace,
      name: `s${String(i).padStart(4, '0')}`,
      uid: `${namespace}-${i}`,
      creationTimestamp: t0.toISOString().replace(/\.\d+Z$/, 'Z'),
    }),
  );
  for (let i = 0; i < records.length; i += 50)
    await Promise.all(records.slice(i, i + 50).map((r) => api.stores.streams.createStream(r)));
  return records;
}
