import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { readLibrary } from '../../cli/commands/library-command.ts';
import { writeKubeconfig } from '../../functions/local/kubeconfig.ts';
import { type ApiUnderTest, startApi, tokens } from '../support/api-under-test.ts';
import { cliBin, ensureCliBuilt, runCliProcess } from '../support/cli-process.ts';
import { kubectlBinary } from '../support/kubectl.ts';
import { pushImage } from '../support/push-image.ts';
import { type RunningRegistry, startRegistry } from '../support/registry.ts';

// The CLI as a user runs it (bin/imagestreams, a process, a kubeconfig) against the service over
// HTTPS and a real registry. Expected texts are written out as oc prints them.

const image = '/apis/image.openshift.io/v1/namespaces';
let api: ApiUnderTest;
let registry: RunningRegistry;
let dir: string;
let kubeconfig: string;

const cli = (args: string[], env: Record<string, string> = {}) =>
  runCliProcess(args, { env: { KUBECONFIG: kubeconfig, ...env } });

beforeAll(async () => {
  [registry, api] = await Promise.all([startRegistry(), ensureCliBuilt().then(() => undefined)]).then(
    async ([r]) =>
      [
        r,
        await startApi({
          IMAGESTREAMS_INSECURE_REGISTRIES: r.host,
          IMAGESTREAMS_CREDENTIALS_KEY: randomBytes(32).toString('base64'),
        }),
      ] as const,
  );
  dir = await mkdtemp(join(tmpdir(), 'imagestreams-cli-'));
  kubeconfig = join(dir, 'kubeconfig');
  await writeKubeconfig(kubeconfig, { server: api.url, ca: api.ca, token: tokens.alice, namespace: 'demo' });
}, 120_000);

afterAll(async () => {
  await api?.close();
  await registry?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('imagestreams tag', () => {
  it('imports a pull spec into a new stream and says so as oc tag does', async () => {
    const pushed = await pushImage(registry, 'team/app', 'v1');
    const result = await cli(['tag', `${registry.host}/team/app:v1`, 'app:v1']);
    expect(result).toEqual({ code: 0, stdout: `Tag app:v1 set to ${registry.host}/team/app:v1.\n`, stderr: '' });
    const istag = await api.call('GET', `${image}/demo/imagestreamtags/app:v1`);
    expect(istag.json.image.metadata.name).toBe(pushed.digest);
    expect(istag.json.tag.from).toEqual({ kind: 'DockerImage', name: `${registry.host}/team/app:v1` });
  });

  it('sets scheduled, reference and local-policy tags, and tags several destinations at once', async () => {
    await pushImage(registry, 'team/app', 'v2');
    const scheduled = await cli(['tag', `${registry.host}/team/app:v2`, 'app:v2', 'app:two', '--scheduled']);
    expect(scheduled.stdout).toBe(
      `Tag app:v2 set to import ${registry.host}/team/app:v2 periodically.\nTag app:two set to import ${registry.host}/team/app:v2 periodically.\n`,
    );
    const reference = await cli([
      'tag',
      'quay.io/org/app:2',
      'app:ext',
      '--reference',
      '--reference-policy=local',
      '--import-mode=Legacy',
    ]);
    expect(reference).toEqual({ code: 0, stdout: 'Tag app:ext set to quay.io/org/app:2.\n', stderr: '' });
    const stream = (await api.call('GET', `${image}/demo/imagestreams/app`)).json;
    const spec = (name: string) => stream.spec.tags.find((t: { name: string }) => t.name === name);
    expect(spec('v2').importPolicy.scheduled).toBe(true);
    expect(spec('two').importPolicy.scheduled).toBe(true);
    expect(spec('ext')).toMatchObject({
      reference: true,
      referencePolicy: { type: 'Local' },
      importPolicy: { importMode: 'Legacy' },
    });
  });

  it('copies the current image of a tag (oc tag istag), tracks one with --alias, and writes into another namespace', async () => {
    const head = (await api.call('GET', `${image}/demo/imagestreamtags/app:v1`)).json.image.metadata.name;
    expect(await cli(['tag', 'app:v1', 'base:app'])).toEqual({
      code: 0,
      stdout: `Tag base:app set to app@${head}.\n`,
      stderr: '',
    });
    expect((await cli(['tag', 'app:v1', 'app:stable', '--alias'])).stdout).toBe(
      'Tag app:stable set up to track app:v1.\n',
    );
    expect((await cli(['tag', 'app:v1', 'other/base:app'])).stdout).toBe(`Tag other/base:app set to app@${head}.\n`);
    const copied = (await api.call('GET', `${image}/other/imagestreamtags/base:app`)).json;
    expect(copied.tag.from).toEqual({ kind: 'ImageStreamImage', name: `app@${head}`, namespace: 'demo' });
    expect(copied.image.metadata.name).toBe(head);
    const alias = (await api.call('GET', `${image}/demo/imagestreamtags/app:stable`)).json;
    expect(alias.tag.from).toEqual({ kind: 'ImageStreamTag', name: 'app:v1' });
  });

  it('deletes tags with -d', async () => {
    await cli(['tag', 'quay.io/org/app:3', 'app:old', '--reference']);
    expect(await cli(['tag', '-d', 'app:old'])).toEqual({ code: 0, stdout: 'Deleted tag demo/app:old.\n', stderr: '' });
    expect((await api.call('GET', `${image}/demo/imagestreamtags/app:old`)).status).toBe(404);
  });

  it('refuses what oc refuses, changing nothing', async () => {
    expect(await cli(['tag', 'nothing:here', 'app:copy'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: "nothing:here" is not currently pointing to an image, cannot use it as the source of a tag\n',
    });
    expect((await cli(['tag', 'app:v1', 'base:x', '--alias'])).stderr).toBe(
      'error: cannot set alias across different Image Streams\n',
    );
    expect((await api.call('GET', `${image}/demo/imagestreamtags/app:copy`)).status).toBe(404);
  });
});

describe('imagestreams describe and get', () => {
  it("prints the service's describe text for is and istag, and an image for isimage", async () => {
    const is = await cli(['describe', 'is', 'app']);
    expect(is.code).toBe(0);
    expect(is.stdout).toMatch(/^Name:\t\t\tapp\nNamespace:\t\tdemo\n/);
    expect(is.stdout).toContain('v1 (stable)\n');
    expect(is.stdout).toContain(`  tagged from ${registry.host}/team/app:v1\n`);
    expect(is.stdout).toContain(`  updates automatically from registry ${registry.host}/team/app:v2\n`);
    const istag = await cli(['describe', 'istag', 'app:v1']);
    const head = (await api.call('GET', `${image}/demo/imagestreamtags/app:v1`)).json.image.metadata.name as string;
    // Relative ages ("3 seconds ago") move between the two reads; the rest must be the service's text as is.
    const ages = (text: string) => text.replace(/\d+ seconds ago/g, 'N seconds ago');
    const served = (await api.call('GET', `${image}/demo/imagestreamtags/app:v1/describe`)).text;
    expect(ages(istag.stdout)).toBe(ages(served));
    const isimage = await cli(['describe', 'isimage', `app@${head.slice(0, 20)}`]);
    expect(isimage.stdout).toContain(`Image Name:\t${head}\n`);
  });

  it('lists with the server columns, and prints json, yaml and name', async () => {
    const table = await cli(['get', 'is']);
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME +IMAGE REPOSITORY +TAGS +UPDATED$/);
    expect(table.stdout).toMatch(/\napp +\S* +[\w.,]+ +.* ago\n/);
    const wide = await cli(['get', 'istag', '-o', 'wide']);
    expect(wide.stdout.split('\n')[0]).toMatch(/^NAME +IMAGE REFERENCE +UPDATED +IMAGE NAME$/);
    const json = JSON.parse((await cli(['get', 'is', 'app', '-o', 'json'])).stdout);
    expect(json).toMatchObject({ kind: 'ImageStream', metadata: { name: 'app', namespace: 'demo' } });
    const yaml = parse((await cli(['get', 'istag', 'app:v1', '-o', 'yaml'])).stdout);
    expect(yaml).toMatchObject({ kind: 'ImageStreamTag', metadata: { name: 'app:v1' } });
    expect((await cli(['get', 'is', '-o', 'name'])).stdout).toContain('imagestream.image.openshift.io/app\n');
    const list = JSON.parse((await cli(['get', 'is', '-o', 'json'])).stdout);
    expect(list.kind).toBe('List');
    expect(await cli(['get', 'is', '-n', 'empty'])).toEqual({
      code: 0,
      stdout: '',
      stderr: 'No resources found in empty namespace.\n',
    });
  });
});

describe('imagestreams history and rollback', () => {
  it('lists the history newest first and rolls back to an entry as a new head', async () => {
    const first = (await api.call('GET', `${image}/demo/imagestreamtags/app:v1`)).json.image.metadata.name;
    const second = await pushImage(registry, 'team/app', 'v1');
    const reimport = await cli(['import-image', 'app:v1']);
    expect(reimport.code).toBe(0);
    const history = await cli(['history', 'app:v1']);
    const lines = history.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^# +IMAGE +WHEN +WHO +WHY$/);
    expect(lines[1]).toMatch(
      new RegExp(`^1 +${registry.host}/team/app@${second.digest} +.+ ago +user:alice +new image$`),
    );
    expect(lines[2]).toMatch(new RegExp(`^2 +${registry.host}/team/app@${first} +.+ ago +user:alice +first image$`));

    expect(await cli(['rollback', 'app:v1', '--to=2'])).toEqual({
      code: 0,
      stdout: `Tag app:v1 set to app@${first}.\n`,
      stderr: '',
    });
    const after = await cli(['history', 'app:v1']);
    expect(after.stdout.split('\n')[1]).toMatch(new RegExp(`@${first} .* rollback to #3$`));
    expect((await api.call('GET', `${image}/demo/imagestreamtags/app:v1`)).json.image.metadata.name).toBe(first);

    expect(await cli(['rollback', 'app:v1', `--to=${second.digest.slice(0, 16)}`])).toMatchObject({ code: 0 });
    expect((await api.call('GET', `${image}/demo/imagestreamtags/app:v1`)).json.image.metadata.name).toBe(
      second.digest,
    );
    expect((await cli(['rollback', 'app:v1', '--to=9'])).stderr).toBe('error: app:v1 has 4 history entries, not #9\n');
  });
});

describe('imagestreams import-image', () => {
  it('needs --confirm for a new stream, then imports and describes it', async () => {
    await pushImage(registry, 'team/web', 'latest');
    expect(await cli(['import-image', 'web', `--from=${registry.host}/team/web`])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: no image stream named "web" exists, pass --confirm to create and import\n',
    });
    const result = await cli(['import-image', 'web', `--from=${registry.host}/team/web`, '--confirm']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^imagestream.image.openshift.io\/web imported\n\nName:\t\t\tweb\n/);
    expect(result.stderr).toBe('');
  });

  it('reports a failed import as "imported with errors" and exit 1', async () => {
    const result = await cli(['import-image', 'ghost', `--from=${registry.host}/team/ghost:1`, '--confirm']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^imagestream.image.openshift.io\/ghost imported with errors\n/);
    expect(result.stderr).toMatch(/^error: tag latest failed: .+\n$/);
  });

  it('imports a whole repository with --all and refuses a different source for an existing tag', async () => {
    for (const t of ['1.0', '2.0']) await pushImage(registry, 'team/all', t);
    const all = await cli(['import-image', 'all', `--from=${registry.host}/team/all`, '--all', '--confirm']);
    expect(all.code).toBe(0);
    const stream = (await api.call('GET', `${image}/demo/imagestreams/all`)).json;
    expect(stream.status.tags.map((t: { tag: string }) => t.tag).sort()).toEqual(['1.0', '2.0']);
    expect((await cli(['import-image', 'app:v2', '--from=quay.io/x/y:1'])).stderr).toBe(
      `error: the tag "v2" points to "${registry.host}/team/app:v2" - use the 'tag' command if you want to change the source to "quay.io/x/y:1"\n`,
    );
    // app:v1 was rolled back to an image of the stream: nothing to re-import.
    expect((await cli(['import-image', 'app:v1'])).stderr).toMatch(
      /^error: tag "v1" points to existing ImageStreamImage "app@sha256:\w+", it cannot be re-imported\n$/,
    );
    const dry = await cli(['import-image', 'app:v2', '--dry-run']);
    expect(dry.stdout).toMatch(/^imagestream.image.openshift.io\/app imported \(dry run\)\n/);
  });
});

describe('imagestreams triggers', () => {
  it('sets, lists, pauses, resumes and deletes a trigger', async () => {
    const set = await cli([
      'triggers',
      'set',
      'app:v1',
      '--webhook=https://ci.example.com/hook',
      '--secret=0123456789abcdef0123',
      '--fire-on-create=false',
      '--paused',
    ]);
    expect(set).toEqual({ code: 0, stdout: 'imagetrigger.imagestreams.dev/app-v1 created\n', stderr: '' });
    expect((await cli(['triggers', 'list'])).stdout).toMatch(
      /^NAME +SOURCE +TARGET +LAST IMAGE +FIRED\napp-v1 +demo\/app:v1 +webhook/,
    );
    expect((await cli(['triggers', 'resume', 'app-v1'])).stdout).toBe('imagetrigger.imagestreams.dev/app-v1 resumed\n');
    const trigger = (await api.call('GET', '/apis/imagestreams.dev/v1/namespaces/demo/imagetriggers/app-v1')).json;
    expect(trigger.spec.paused).toBe(false);
    expect((await cli(['triggers', 'pause', 'app-v1'])).stdout).toBe('imagetrigger.imagestreams.dev/app-v1 paused\n');
    expect((await cli(['triggers', 'delete', 'app-v1'])).stdout).toBe('imagetrigger.imagestreams.dev/app-v1 deleted\n');
    expect((await api.call('GET', '/apis/imagestreams.dev/v1/namespaces/demo/imagetriggers/app-v1')).status).toBe(404);
  });
});

describe('imagestreams library install', () => {
  it('creates every manifest of the library through the API, with its tags and latest alias', async () => {
    const result = await cli(['library', 'install', '-n', 'library']);
    const library = await readLibrary();
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').filter(Boolean).sort()).toEqual(
      [...library.keys()].map((n) => `imagestream.image.openshift.io/${n} created`).sort(),
    );
    for (const [name, { manifest }] of library) {
      const stream = (await api.call('GET', `${image}/library/imagestreams/${name}`)).json;
      for (const tag of manifest.spec.tags) {
        const stored = stream.spec.tags.find((t: { name: string }) => t.name === tag.name);
        expect(stored?.from, `${name}:${tag.name}`).toEqual(tag.from);
        expect(stored?.annotations, `${name}:${tag.name}`).toEqual(tag.annotations);
        expect(Boolean(stored?.importPolicy?.scheduled), `${name}:${tag.name}`).toBe(tag.name !== 'latest');
      }
    }
    const again = await cli(['library', 'install', 'python', '-n', 'library']);
    expect(again.stdout).toBe('imagestream.image.openshift.io/python configured\n');
  });
});

describe('errors a script can rely on', () => {
  it("prints the server's Status message, one line, exit 1", async () => {
    expect(await cli(['describe', 'is', 'missing'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error from server (NotFound): imagestreams.image.openshift.io "missing" not found\n',
    });
    const invalid = await cli(['tag', 'quay.io/a/b:1', 'app:bad!tag']);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^Error from server \(Invalid\): .*\n$/);
  });

  it('says an expired or wrong token, an unreachable server and an unknown context in one line', async () => {
    const wrong = join(dir, 'wrong-token');
    await writeKubeconfig(wrong, { server: api.url, ca: api.ca, token: 'expired-token-0000', namespace: 'demo' });
    expect(await runCliProcess(['get', 'is'], { env: { KUBECONFIG: wrong } })).toMatchObject({
      code: 1,
      stdout: '',
      stderr: expect.stringMatching(/^error: You must be logged in to the server \(.+\)\n$/),
    });
    const port = await closedPort();
    const closed = join(dir, 'closed');
    await writeKubeconfig(closed, {
      server: `https://127.0.0.1:${port}`,
      ca: api.ca,
      token: tokens.alice,
      namespace: 'demo',
    });
    expect(await runCliProcess(['get', 'is'], { env: { KUBECONFIG: closed } })).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: The connection to the server 127.0.0.1:${port} was refused - did you specify the right host or port?\n`,
    });
    expect((await cli(['get', 'is', '--context', 'nope'])).stderr).toBe(
      'error: context was not found for specified context: nope\n',
    );
  });
});

describe('kubeconfig as kubectl reads it', () => {
  it('takes the namespace and user of --context, and a token from an exec credential plugin', async () => {
    const plugin = join(dir, 'credential-plugin');
    await writeFile(
      plugin,
      `#!/bin/sh\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"${tokens.alice}"}}'\n`,
    );
    await chmod(plugin, 0o755);
    const config = join(dir, 'contexts');
    const ca = Buffer.from(api.ca).toString('base64');
    await writeFile(
      config,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'local', cluster: { server: api.url, 'certificate-authority-data': ca } }],
        users: [
          { name: 'nobody', user: { token: 'not-a-token' } },
          {
            name: 'oidc',
            user: {
              exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, interactiveMode: 'Never' },
            },
          },
        ],
        contexts: [
          { name: 'broken', context: { cluster: 'local', user: 'nobody', namespace: 'demo' } },
          { name: 'team', context: { cluster: 'local', user: 'oidc', namespace: 'other' } },
        ],
        'current-context': 'broken',
      }),
    );
    const result = await runCliProcess(['get', 'is', '-o', 'name', '--context', 'team'], {
      env: { KUBECONFIG: config },
    });
    expect(result).toEqual({ code: 0, stdout: 'imagestream.image.openshift.io/base\n', stderr: '' });
  });

  it("reaches the server through the cluster's proxy-url, an HTTP CONNECT proxy", async () => {
    const tunnels: string[] = [];
    const proxy = createHttpServer();
    proxy.on('connect', (request, client, head) => {
      tunnels.push(request.url ?? '');
      const url = new URL(`http://${request.url}`);
      const upstream = connect(Number(url.port), url.hostname, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client).pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = proxy.address() as { port: number };
      const config = parse(await readFile(kubeconfig, 'utf8'));
      config.clusters[0].cluster['proxy-url'] = `http://127.0.0.1:${port}`;
      const proxied = join(dir, 'proxied');
      await writeFile(proxied, stringify(config));
      const result = await runCliProcess(['tag', 'quay.io/org/app:11', 'app:eleven', '--reference'], {
        env: { KUBECONFIG: proxied },
      });
      expect(result).toEqual({ code: 0, stdout: 'Tag app:eleven set to quay.io/org/app:11.\n', stderr: '' });
      expect(tunnels).toEqual([new URL(api.url).host]);
    } finally {
      proxy.close();
    }
  });

  it('runs when the compile cache cannot be written, saying nothing about it', async () => {
    // A cache path under a file: no user can create it (permissions would not stop root, who runs the tests).
    const result = await cli(['tag', 'quay.io/org/app:10', 'app:ten', '--reference'], {
      XDG_CACHE_HOME: join(kubeconfig, 'cache'),
    });
    expect(result).toEqual({ code: 0, stdout: 'Tag app:ten set to quay.io/org/app:10.\n', stderr: '' });
  });
});

describe('kubectl imagestreams (plugin)', () => {
  it('runs through the real kubectl, which finds kubectl-imagestreams on PATH', async () => {
    const plugins = join(dir, 'plugins');
    await mkdir(plugins);
    await symlink(cliBin, join(plugins, 'kubectl-imagestreams'));
    // kubectl runs plugins only when no flag comes before the plugin's name, so no --cache-dir here.
    const kubectl = (args: string[]) =>
      runCliProcess(args, {
        bin: kubectlBinary,
        env: { KUBECONFIG: kubeconfig, PATH: `${plugins}:${process.env.PATH}`, HOME: dir },
      });
    const tagged = await kubectl(['imagestreams', 'tag', 'quay.io/org/app:9', 'app:nine', '--reference']);
    expect(tagged).toEqual({ code: 0, stdout: 'Tag app:nine set to quay.io/org/app:9.\n', stderr: '' });
    const help = await kubectl(['imagestreams', 'tag', '--help']);
    expect(help.stdout).toContain('kubectl imagestreams tag docker.io/library/python:3.12 python:3.12 --scheduled');
    const plugin = await kubectl(['plugin', 'list']);
    expect(plugin.stdout).toContain(`${plugins}/kubectl-imagestreams`);
  });
});

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
