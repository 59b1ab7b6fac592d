import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaBundling, sstEquivalentBuild } from '../../functions/lib/bundle-options.ts';

// The API handler built as deployed: what a cold start evaluates is the entry and the chunks it imports
// statically; everything a request may never need must sit behind a dynamic import.
let dir: string;
let metafile: Metafile;
let loadedAtImport: Set<string>;
let entry: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bundle-'));
  const result = await build({ ...sstEquivalentBuild('functions/api.ts', dir), absWorkingDir: process.cwd() });
  metafile = result.metafile as Metafile;
  entry = Object.keys(metafile.outputs).find((path) => metafile.outputs[path]?.entryPoint === 'functions/api.ts') ?? '';
  const inputs = new Set<string>();
  const seen = new Set<string>();
  const visit = (path: string) => {
    const output = metafile.outputs[path];
    if (!output || seen.has(path)) return;
    seen.add(path);
    for (const input of Object.keys(output.inputs)) inputs.add(input);
    for (const imported of output.imports) if (imported.kind === 'import-statement') visit(imported.path);
  };
  visit(entry);
  loadedAtImport = inputs;
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs `script`, the lines of an ES module, in a fresh Node with the configuration the bundle needs and `env`. */
function inFreshProcess(script: string[], env: Record<string, string> = {}, nodeOptions: string[] = []) {
  return spawnSync(process.execPath, [...nodeOptions, '--input-type=module', '-e', script.join('\n')], {
    encoding: 'utf8',
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      IMAGESTREAMS_TABLE: 't',
      IMAGESTREAMS_EVENT_BUS: 'b',
      AWS_REGION: 'local',
      ...env,
    },
  });
}

const atImport = (fragment: string) => [...loadedAtImport].filter((input) => input.includes(fragment));

describe('the API handler bundle as deployed', () => {
  it('is minified ESM with split chunks and source maps, as sst.config.ts passes to SST', () => {
    expect(lambdaBundling).toMatchObject({ format: 'esm', minify: true, splitting: true, sourcemap: true });
    expect(entry).toMatch(/api\.mjs$/);
    expect(Object.keys(metafile.outputs).filter((path) => path.endsWith('.mjs')).length).toBeGreaterThan(1);
  });

  it.each([
    ['the undici registry client', 'node_modules/undici/'],
    ['the KMS client', '@aws-sdk/client-kms/'],
    // The ECS, Lambda and CodeBuild clients are not in the API's package at all (trigger-bundles.test.ts).
    ['the EventBridge client', '@aws-sdk/client-eventbridge/'],
    ['the ECR client (Local tags, repository cleanup and registry tokens in AWS)', '@aws-sdk/client-ecr/'],
    ['the STS client (registry tokens in AWS)', '@aws-sdk/client-sts/'],
    ['protobufjs (only protobuf request bodies need it)', 'node_modules/protobufjs/'],
    ['the import pipeline (requests that import load it)', 'core/use-cases/import-service.ts'],
    ['the receivers’ pushes', 'core/use-cases/push-service.ts'],
    ['the signature gate', 'core/use-cases/signature-gate.ts'],
  ])('leaves %s out of what a cold start loads', (_label, fragment) => {
    expect(atImport(fragment)).toEqual([]);
    expect(Object.keys(metafile.inputs).some((input) => input.includes(fragment))).toBe(true);
  });

  it('ships one HTTP parser of undici and none of the parts the registry client does not use', () => {
    const undiciFiles = Object.keys(metafile.inputs).filter((input) => input.includes('node_modules/undici/'));
    expect(undiciFiles.filter((input) => /llhttp.*-wasm|milo/.test(input))).toEqual([
      'node_modules/undici/lib/llhttp/llhttp-wasm.js',
    ]);
    expect(
      undiciFiles.filter((input) => /\/(websocket|eventsource|cache|mock)\/|undici\/index\.js/.test(input)),
    ).toEqual([]);
  });

  it('leaves the AWS SDK out of what a cold start loads: the first request to the table loads it', () => {
    expect(atImport('node_modules/@aws-sdk/')).toEqual([]);
    expect(atImport('node_modules/@smithy/')).toEqual([]);
  });

  it('loads neither node:crypto, TLS, HTTPS, node:net nor Node streams when a fresh process imports it', () => {
    const entryUrl = pathToFileURL(join(process.cwd(), entry)).href;
    const script = [
      'const before = new Set(process.moduleLoadList);',
      `await import(${JSON.stringify(entryUrl)});`,
      "console.log(JSON.stringify(process.moduleLoadList.filter((m) => !before.has(m) && m.startsWith('NativeModule ')).map((m) => m.slice(13))));",
      'process.exit(0);',
    ];
    const child = inFreshProcess(script);
    expect(child.stderr).toBe('');
    const loaded: string[] = JSON.parse(child.stdout);
    expect(loaded.filter((name) => /^(crypto|tls|https|http2|zlib|net|stream)$/.test(name))).toEqual([]);
  });

  it('builds no zod schema at import but the configuration’s: request and event schemas are built on first use', () => {
    // Every zod schema installs its `_zod` internals with Object.defineProperty; the source maps name the
    // file whose code asked for it. The configuration is read at cold start, so its schemas are built then.
    const entryUrl = pathToFileURL(join(process.cwd(), entry)).href;
    const script = [
      'Error.stackTraceLimit = 100;',
      'const sites = {};',
      'const define = Object.defineProperty;',
      'Object.defineProperty = function (target, key, descriptor) {',
      "  if (key === '_zod') {",
      "    const frames = new Error().stack.split('\\n').slice(2);",
      "    const caller = frames.find((f) => !f.includes('node_modules/zod/') && !f.includes('[eval'));",
      '    const file = caller?.match(/\\/((?:core|functions)\\/[^:]+\\.ts):\\d+/)?.[1] ?? caller ?? "?";',
      '    sites[file] = (sites[file] ?? 0) + 1;',
      '  }',
      '  return define(target, key, descriptor);',
      '};',
      `await import(${JSON.stringify(entryUrl)});`,
      'Object.defineProperty = define;',
      'console.log(JSON.stringify(sites));',
      'process.exit(0);',
    ];
    const child = inFreshProcess(script, {}, ['--enable-source-maps']);
    expect(child.stderr).toBe('');
    const sites: Record<string, number> = JSON.parse(child.stdout);
    // The probe sees the configuration's schemas, so a count of none elsewhere is not a probe that saw nothing.
    expect(sites['functions/lib/config.ts']).toBeGreaterThan(0);
    expect(Object.keys(sites)).toEqual(['functions/lib/config.ts']);
  });

  it('creates neither process.stdout nor process.stderr at import: the logger builds its console on its first line', () => {
    const entryUrl = pathToFileURL(join(process.cwd(), entry)).href;
    const event = JSON.parse(readFileSync('test/fixtures/events/apigw-v2-jwt.json', 'utf8'));
    event.rawPath = event.requestContext.http.path = '/apis/image.openshift.io/v1/namespaces/team-a/imagestreams/app';
    event.requestContext.http.method = 'PUT';
    event.body = '{';
    const script = [
      'const touched = [];',
      "for (const name of ['stdout', 'stderr']) {",
      '  const { get } = Object.getOwnPropertyDescriptor(process, name);',
      '  Object.defineProperty(process, name, { configurable: true, enumerable: true, get() {',
      '    touched.push(name);',
      '    Object.defineProperty(process, name, { configurable: true, enumerable: true, get });',
      '    return get.call(process);',
      '  } });',
      '}',
      `const { handler } = await import(${JSON.stringify(entryUrl)});`,
      'const atImport = [...touched];',
      // A write request is audited: its line must still reach stdout, through the console built then.
      "const res = await handler(JSON.parse(process.env.EVENT), { awsRequestId: 'logger-test' });",
      'console.log(JSON.stringify({ atImport, status: res.statusCode }));',
      'process.exit(0);',
    ];
    const child = inFreshProcess(script, { POWERTOOLS_LOG_LEVEL: 'INFO', EVENT: JSON.stringify(event) });
    expect(child.stderr).toBe('');
    const lines = child.stdout.trim().split('\n');
    expect(JSON.parse(lines.at(-1) ?? '')).toEqual({ atImport: [], status: 400 });
    const logged = lines.slice(0, -1).map((line) => JSON.parse(line));
    expect(logged).toContainEqual(
      expect.objectContaining({
        level: 'INFO',
        message: 'audit',
        service: 'imagestreams',
        function_request_id: 'logger-test',
      }),
    );
  });

  it('evaluates re2js only when a policy is first checked: its CommonJS build, behind the first-use loader', () => {
    // esbuild runs an ES module's body where it is imported, a CommonJS module's when it is first required.
    expect(atImport('node_modules/re2js/').filter((input) => input.startsWith('node_modules/'))).toEqual([
      'node_modules/re2js/build/index.cjs',
    ]);
    const entryUrl = pathToFileURL(join(process.cwd(), entry)).href;
    const event = JSON.parse(readFileSync('test/fixtures/events/apigw-v2-jwt.json', 'utf8'));
    const path = '/apis/image.openshift.io/v1/namespaces/team-a/imagestreams';
    event.rawPath = event.requestContext.http.path = path;
    event.requestContext.http.method = 'POST';
    event.headers = { ...event.headers, 'content-type': 'application/json' };
    event.body = JSON.stringify({
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStream',
      metadata: { name: 'app' },
      spec: {
        tags: [
          {
            name: 'latest',
            from: { kind: 'DockerImage', name: 'registry.example/app' },
            annotations: {
              'imagestreams.dev/policy': 'alphabetical: asc',
              'imagestreams.dev/filter-tags': '(unclosed',
            },
          },
        ],
      },
    });
    const script = [
      `const { handler } = await import(${JSON.stringify(entryUrl)});`,
      "const res = await handler(JSON.parse(process.env.EVENT), { awsRequestId: 'bundle-test' });",
      'console.log(JSON.stringify(res));',
      'process.exit(0);',
    ];
    const child = inFreshProcess(script, {
      IMAGESTREAMS_ADMINS: event.requestContext.authorizer.jwt.claims.sub,
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      EVENT: JSON.stringify(event),
    });
    expect(child.stderr).toBe('');
    const res = JSON.parse(child.stdout);
    expect(res.statusCode).toBe(422);
    expect(JSON.parse(res.body).details.causes).toEqual([
      expect.objectContaining({
        field: 'spec.tags[0].annotations[imagestreams.dev/filter-tags]',
        message: expect.stringContaining('not a valid RE2 regular expression'),
      }),
    ]);
  });

  it('ships no browser code of the AWS SDK (bowser, its user-agent parser; patches/README.md)', () => {
    expect(Object.keys(metafile.inputs).filter((input) => input.includes('node_modules/bowser/'))).toEqual([]);
  });

  it('takes AWS credentials from the environment, as Lambda gives them, without the SDK’s default chain', async () => {
    expect(
      Object.keys(metafile.inputs).filter((input) =>
        /@aws-sdk\/(credential-provider-(node|ini|sso|web-identity|process|http|login)|nested-clients)\//.test(input),
      ),
    ).toEqual([]);
    // A loopback DynamoDB endpoint records how the bundle signs a GET's table read.
    const authorizations: string[] = [];
    const server = createServer((request, response) => {
      authorizations.push(`${request.headers.authorization} ${request.headers['x-amz-security-token']}`);
      request.resume().on('end', () => {
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        response.end('{"Items":[],"Count":0,"ScannedCount":0}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const event = JSON.parse(readFileSync('test/fixtures/events/apigw-v2-jwt.json', 'utf8'));
      event.rawPath = event.requestContext.http.path = '/apis/image.openshift.io/v1/namespaces/team-a/imagestreams/app';
      const entryUrl = pathToFileURL(join(process.cwd(), entry)).href;
      const script = [
        `const { handler } = await import(${JSON.stringify(entryUrl)});`,
        "const res = await handler(JSON.parse(process.env.EVENT), { awsRequestId: 'credentials-test' });",
        'console.log(res.statusCode);',
        'process.exit(0);',
      ].join('\n');
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
        env: {
          PATH: process.env.PATH,
          HOME: dir,
          IMAGESTREAMS_TABLE: 't',
          IMAGESTREAMS_EVENT_BUS: 'b',
          IMAGESTREAMS_ADMINS: event.requestContext.authorizer.jwt.claims.sub,
          AWS_REGION: 'eu-west-1',
          AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${port}`,
          AWS_ACCESS_KEY_ID: 'AKIDFROMLAMBDAENV',
          AWS_SECRET_ACCESS_KEY: 'secret-from-lambda-env',
          AWS_SESSION_TOKEN: 'session-from-lambda-env',
          POWERTOOLS_LOG_LEVEL: 'ERROR',
          EVENT: JSON.stringify(event),
        },
      });
      let stdout = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      await new Promise((resolve) => child.on('close', resolve));
      expect(stdout.trim()).toBe('404');
      expect(authorizations.length).toBeGreaterThan(0);
      for (const authorization of authorizations)
        expect(authorization).toMatch(
          /^AWS4-HMAC-SHA256 Credential=AKIDFROMLAMBDAENV\/\d{8}\/eu-west-1\/dynamodb\/aws4_request, .* session-from-lambda-env$/,
        );
    } finally {
      server.close();
    }
  });

  it('imports no Node builtin as an ES module, whose facade would load Node’s own undici', () => {
    const builtinImports = Object.values(metafile.outputs).flatMap((output) =>
      output.imports.filter((imported) => imported.external && imported.kind === 'import-statement'),
    );
    expect(builtinImports.map((imported) => imported.path)).toEqual([]);
  });
});

describe('the other Lambda functions as deployed', () => {
  const inputsOf = async (entryPoint: string) => {
    const out = await mkdtemp(join(tmpdir(), 'bundle-'));
    try {
      const result = await build({ ...sstEquivalentBuild(entryPoint, out), absWorkingDir: process.cwd() });
      return Object.keys((result.metafile as Metafile).inputs);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  };

  it('ship only their share of the composition: tag-changed imports nothing, ecr-push fires no trigger', async () => {
    const tagChanged = await inputsOf('functions/tag-changed.ts');
    expect(
      tagChanged.filter((input) =>
        /use-cases\/(import-service|image-importer|push-service)|re2js|@sigstore/.test(input),
      ),
    ).toEqual([]);
    expect(tagChanged.some((input) => input.includes('@aws-sdk/client-ecs/'))).toBe(true);
    const ecrPush = await inputsOf('functions/ecr-push.ts');
    expect(
      ecrPush.filter((input) => /targets\/|client-(ecs|lambda|codebuild)\/|use-cases\/streams\//.test(input)),
    ).toEqual([]);
    expect(ecrPush.some((input) => input.includes('core/use-cases/push-service.ts'))).toBe(true);
  }, 60_000);

  it('keep the trigger targets’ code out of the API’s and the schedule’s packages (they announce, never fire), in the trigger function’s', async () => {
    const [api, schedule, tagChanged] = await Promise.all([
      inputsOf('functions/api.ts'),
      inputsOf('functions/scheduled-import.ts'),
      inputsOf('functions/tag-changed.ts'),
    ]);
    const targets = (inputs: string[]) =>
      inputs.filter((input) => /core\/adapters\/targets\/|@aws-sdk\/client-(lambda|ecs|codebuild)\//.test(input));
    expect(targets(api)).toEqual([]);
    expect(targets(schedule)).toEqual([]);
    // The schedule's package does hold the reconcile, which announces the due triggers.
    expect(schedule.some((input) => input.includes('core/use-cases/triggers/reconcile-triggers.ts'))).toBe(true);
    for (const part of [
      'core/adapters/targets/target-dispatcher.ts',
      'core/adapters/targets/webhook-target.ts',
      'core/adapters/targets/aws-targets.ts',
      '@aws-sdk/client-lambda/',
      '@aws-sdk/client-ecs/',
      '@aws-sdk/client-codebuild/',
    ])
      expect(
        tagChanged.some((input) => input.includes(part)),
        part,
      ).toBe(true);
  }, 60_000);
});
