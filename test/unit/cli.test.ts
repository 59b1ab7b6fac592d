import { beforeAll, describe, expect, it } from 'vitest';
import { whyOf } from '../../cli/commands/history-command.ts';
import { readLibrary } from '../../cli/commands/library-command.ts';
import { sourceKindOf, tagReference } from '../../cli/commands/tag-command.ts';
import { parseCommandLine } from '../../cli/parse-command-line.ts';
import { printTable } from '../../cli/print-table.ts';
import { commands, runCli } from '../../cli/run-cli.ts';

async function run(args: string[], env: Record<string, string> = { HOME: '/nonexistent-home' }) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t), isTTY: false },
    env,
  });
  return { code, stdout, stderr };
}

describe('parseCommandLine', () => {
  const options = { from: { type: 'string', description: '' }, confirm: { type: 'boolean', description: '' } } as const;

  it('reads flags before, between and after positionals, with = or apart', () => {
    expect(parseCommandLine(['-n', 'demo', 'a', '--from=x', 'b', '--confirm'], options)).toEqual({
      values: { namespace: 'demo', from: 'x', confirm: true },
      positionals: ['a', 'b'],
    });
    expect(parseCommandLine(['--from', 'y', '--confirm=false'], options).values).toEqual({ from: 'y', confirm: false });
  });

  it("answers kubectl's words for an unknown flag, a missing value and a bad boolean", () => {
    expect(() => parseCommandLine(['--nope'], options)).toThrow('unknown flag: --nope');
    expect(() => parseCommandLine(['-x'], options)).toThrow('unknown flag: -x');
    expect(() => parseCommandLine(['--from'], options)).toThrow('flag needs an argument: --from');
    expect(() => parseCommandLine(['--confirm=maybe'], options)).toThrow(
      'invalid argument "maybe" for "--confirm" flag: must be true or false',
    );
  });
});

describe('tag source detection (oc tag)', () => {
  it('tells pull specs, stream tags and stream images apart', () => {
    expect(sourceKindOf('docker.io/library/python:3.12', undefined)).toBe('DockerImage');
    expect(sourceKindOf('localhost:5000/app', undefined)).toBe('DockerImage');
    expect(sourceKindOf('python', undefined)).toBe('DockerImage');
    expect(sourceKindOf('python:3.12', undefined)).toBe('ImageStreamTag');
    expect(sourceKindOf('team/python:3.12', undefined)).toBe('ImageStreamTag');
    expect(sourceKindOf(`python@sha256:${'a'.repeat(64)}`, undefined)).toBe('ImageStreamImage');
    expect(sourceKindOf('python:3.12', 'docker')).toBe('DockerImage');
    expect(sourceKindOf('python', 'istag')).toBe('ImageStreamTag');
  });

  it('refuses a malformed reference and an unknown --source', () => {
    expect(() => sourceKindOf('Not A Ref', undefined)).toThrow('invalid source "Not A Ref"');
    expect(() => sourceKindOf('x', 'git')).toThrow('invalid source "git"');
  });

  it('sends generation 0 only for pull specs, and import flags only when set', () => {
    const flags = {
      alias: false,
      reference: false,
      scheduled: true,
      insecure: false,
      referencePolicy: 'Local' as const,
      importMode: undefined,
    };
    expect(tagReference('3.12', { kind: 'DockerImage', name: 'python:3.12' }, 'DockerImage', flags)).toEqual({
      name: '3.12',
      from: { kind: 'DockerImage', name: 'python:3.12' },
      generation: 0,
      importPolicy: { scheduled: true },
      referencePolicy: { type: 'Local' },
    });
    const alias = tagReference('stable', { kind: 'ImageStreamTag', name: 'python:3.12' }, 'ImageStreamTag', {
      ...flags,
      scheduled: false,
      referencePolicy: 'Source',
    });
    expect(alias).toEqual({
      name: 'stable',
      from: { kind: 'ImageStreamTag', name: 'python:3.12' },
      importPolicy: {},
      referencePolicy: { type: 'Source' },
    });
  });
});

describe('printTable', () => {
  it("pads columns as kubectl's tabwriter does (3 spaces, at least 6 wide, last column bare)", () => {
    expect(
      printTable(
        ['NAME', 'TAGS'],
        [
          ['python', '3.12,3.11'],
          ['go', ''],
        ],
      ),
    ).toBe('NAME     TAGS\npython   3.12,3.11\ngo       \n');
  });
});

describe('history WHY column', () => {
  const event = (image: string, actor = 'user:alice') => ({
    created: '',
    dockerImageReference: '',
    image,
    generation: 1,
    actor,
  });

  it('names rollbacks, scheduled imports and the first image', () => {
    const items = [event('sha256:a'), event('sha256:b', 'scheduler'), event('sha256:a')];
    expect(items.map((_, i) => whyOf(items, i))).toEqual(['rollback to #3', 'scheduled import', 'first image']);
  });
});

describe('runCli without a server', () => {
  it('prints help with examples for every verb, and exits 0', async () => {
    for (const command of commands) {
      const result = await run([command.name, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Examples:');
      expect(result.stdout).toContain(`imagestreams ${command.usage[0]?.split(' ')[0]}`);
      expect(result.stderr).toBe('');
    }
  });

  it('answers one line and exit 1 for an unknown verb, an unknown flag and a missing kubeconfig', async () => {
    expect(await run(['frobnicate'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: unknown command "frobnicate" for "imagestreams"\n',
    });
    expect(await run(['tag', 'a:b', 'c:d', '--frob'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: unknown flag: --frob\n',
    });
    const missing = await run(['get', 'is']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: no kubeconfig found: .*\n$/);
    const named = await run(['get', 'is', '--kubeconfig', '/nonexistent/kubeconfig']);
    expect(named.stderr).toBe('error: stat /nonexistent/kubeconfig: no such file or directory\n');
  });

  it('refuses oc tag flag combinations before any request', async () => {
    const cases: [string[], string][] = [
      [['tag', '-d', 'a:b', '--alias'], '--alias and --delete may not be both specified'],
      [['tag', 'python:3.12', 'python:x', '--scheduled'], 'only container images can have importing flags set'],
      [
        ['tag', 'python:3.12', 'python:x', '--alias', '--insecure'],
        'cannot set a container image tag as an alias and also set import flags',
      ],
      [
        ['tag', 'quay.io/a/b:1', 'b:1', '--reference-policy=remote'],
        "reference policy must be set to 'source' or 'local'",
      ],
      [['tag', 'quay.io/a/b:1', 'b:1', '--import-mode=All'], 'valid ImportMode values are Legacy or PreserveOriginal'],
      [['tag', 'quay.io/a/b:1', 'nocolon'], 'invalid destination "nocolon": must be [NAMESPACE/]STREAM:TAG'],
      [['import-image', 'python@sha256:abc'], "to import images by ID, use the 'tag' command"],
      [['import-image', 'python:3', '--all'], 'cannot specify a tag "python:3" as well as --all'],
    ];
    const kubeconfig = { HOME: '/nonexistent-home', KUBECONFIG: '' };
    for (const [args, message] of cases) {
      const result = await run(args, kubeconfig);
      expect(result, args.join(' ')).toEqual({ code: 1, stdout: '', stderr: `error: ${message}\n` });
    }
  });

  it('prints completion scripts that name every verb', async () => {
    for (const shell of ['bash', 'zsh']) {
      const { code, stdout } = await run(['completion', shell]);
      expect(code).toBe(0);
      for (const command of commands) expect(stdout).toContain(command.name);
      expect(stdout).toContain('kubectl-imagestreams');
    }
    expect((await run(['completion', 'fish'])).stderr).toBe('error: unsupported shell type "fish": use bash or zsh\n');
  });
});

describe('the library', () => {
  let library: Awaited<ReturnType<typeof readLibrary>>;
  beforeAll(async () => {
    library = await readLibrary();
  });

  it('holds the ten curated streams', () => {
    expect([...library.keys()].sort()).toEqual(
      ['golang', 'httpd', 'mariadb', 'nginx', 'nodejs', 'openjdk', 'postgresql', 'python', 'redis', 'ruby'].sort(),
    );
  });

  it('imports every version on a schedule from Docker Hub and lets latest track one of them', () => {
    for (const [name, { manifest }] of library) {
      expect(manifest.apiVersion, name).toBe('image.openshift.io/v1');
      expect(manifest.kind, name).toBe('ImageStream');
      expect(manifest.metadata.annotations?.['openshift.io/display-name'], name).toBeTruthy();
      const latest = manifest.spec.tags.find((t) => t.name === 'latest');
      const versions = manifest.spec.tags.filter((t) => t.name !== 'latest');
      expect(versions.length, name).toBeGreaterThan(0);
      for (const tag of versions) {
        expect(tag.from?.kind, `${name}:${tag.name}`).toBe('DockerImage');
        expect(tag.from?.name, `${name}:${tag.name}`).toMatch(
          new RegExp(`^docker\\.io/library/[a-z-]+:${tag.name.replace('.', '\\.')}$`),
        );
        expect(tag.importPolicy?.scheduled, `${name}:${tag.name}`).toBe(true);
        for (const key of ['description', 'iconClass', 'supports', 'tags', 'openshift.io/display-name'])
          expect(tag.annotations?.[key], `${name}:${tag.name} ${key}`).toBeTruthy();
      }
      expect(latest?.from, name).toEqual({ kind: 'ImageStreamTag', name: versions[0]?.name });
      expect(latest?.importPolicy, name).toBeUndefined();
    }
  });
});
