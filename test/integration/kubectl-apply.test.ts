import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AesGcmCipher } from '../../core/adapters/crypto/aes-gcm-cipher.ts';
import { type ApiUnderTest, startApi, tokens } from '../support/api-under-test.ts';
import { type Kubectl, type KubectlResult, kubectlFor } from '../support/kubectl.ts';

// The real kubectl (v1.32) against the service: apply, patch, edit, delete and explain, as reference/
// kubernetes-api.md §5 and §12 describe what it sends. Manifests are our own, written the way
// OpenShift's library writes them (test/fixtures/kubectl).
const fixtures = join(import.meta.dirname, '../fixtures/kubectl');
const key = randomBytes(32);

let api: ApiUnderTest;
let kubectl: Kubectl;
let scratch: string;

beforeAll(async () => {
  api = await startApi({ IMAGESTREAMS_IMPORT_TIMEOUT_MS: '0', IMAGESTREAMS_CREDENTIALS_KEY: key.toString('base64') });
  kubectl = await kubectlFor({ url: api.url, ca: api.ca, token: tokens.alice, namespace: 'demo' });
  scratch = await mkdtemp(join(tmpdir(), 'imagestreams-kubectl-apply-'));
});
afterAll(async () => {
  await kubectl.close();
  await rm(scratch, { recursive: true, force: true });
  await api.close();
});

/** Runs kubectl and fails with what it printed when it exits non-zero. */
async function ok(args: string[], options?: Parameters<Kubectl['run']>[1]): Promise<KubectlResult> {
  const result = await kubectl.run(args, options);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${result.code}:\n${result.stderr}`);
  return result;
}

const getJson = async (args: string[]) => JSON.parse((await ok(['get', ...args, '-o', 'json'])).stdout);

describe('kubectl apply of OpenShift-style manifests', () => {
  it('creates from JSON, YAML and a List, and a second apply (a merge patch) changes nothing', async () => {
    const files = ['python-imagestream.json', 'nodejs-imagestream.yaml', 'ruby-and-golang-list.json'];
    const first = await ok(['apply', ...files.flatMap((f) => ['-f', join(fixtures, f)])]);
    expect(first.stdout.trim().split('\n').sort()).toEqual([
      'imagestream.image.openshift.io/golang created',
      'imagestream.image.openshift.io/nodejs created',
      'imagestream.image.openshift.io/python created',
      'imagestream.image.openshift.io/ruby created',
    ]);
    const python = await getJson(['is', 'python']);
    expect(python.spec.tags.map((t: { name: string }) => t.name)).toEqual(['3.12-ubi9', 'latest']);
    expect(python.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toContain('"python"');
    const second = await ok(['apply', ...files.flatMap((f) => ['-f', join(fixtures, f)])]);
    // A merge patch replaces whole lists, and the server defaults fields of each tag (importPolicy.importMode):
    // kubectl sees the tags differ and sends them again, so it says "configured". Nothing changes, nor is written.
    expect(second.stdout.trim().split('\n').sort()).toEqual([
      'imagestream.image.openshift.io/golang configured',
      'imagestream.image.openshift.io/nodejs configured',
      'imagestream.image.openshift.io/python configured',
      'imagestream.image.openshift.io/ruby configured',
    ]);
    const again = await getJson(['is', 'python']);
    expect(again.metadata.generation).toBe(python.metadata.generation);
    expect(again.metadata.resourceVersion).toBe(python.metadata.resourceVersion);
    expect(again.spec).toEqual(python.spec);
  });

  it('re-applies an edited manifest as a merge patch: a tag removed, an annotation changed', async () => {
    const edited = {
      kind: 'ImageStream',
      apiVersion: 'image.openshift.io/v1',
      metadata: { name: 'ruby', annotations: { 'openshift.io/display-name': 'Ruby (edited)' } },
      spec: {
        tags: [
          {
            name: '3.4-ubi9',
            from: { kind: 'DockerImage', name: 'registry.access.redhat.com/ubi9/ruby-34:latest' },
            referencePolicy: { type: 'Local' },
          },
        ],
      },
    };
    const file = join(scratch, 'ruby.json');
    await writeFile(file, JSON.stringify(edited));
    const applied = await ok(['apply', '-f', file]);
    expect(applied.stdout.trim()).toBe('imagestream.image.openshift.io/ruby configured');
    const ruby = await getJson(['is', 'ruby']);
    expect(ruby.metadata.annotations['openshift.io/display-name']).toBe('Ruby (edited)');
    expect(ruby.spec.tags.map((t: { name: string }) => t.name)).toEqual(['3.4-ubi9']);
  });

  it('deletes what a file names with delete -f', async () => {
    const deleted = await ok(['delete', '-f', join(fixtures, 'ruby-and-golang-list.json')]);
    expect(deleted.stdout.trim().split('\n').sort()).toEqual([
      'imagestream.image.openshift.io "golang" deleted',
      'imagestream.image.openshift.io "ruby" deleted',
    ]);
    const missing = await kubectl.run(['get', 'is', 'ruby']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('imagestreams.image.openshift.io "ruby" not found');
  });
});

describe('kubectl patch and edit', () => {
  it('patches with --type=merge and --type=json', async () => {
    const merged = await ok(['patch', 'is', 'nodejs', '--type=merge', '-p', '{"metadata":{"labels":{"team":"web"}}}']);
    expect(merged.stdout.trim()).toBe('imagestream.image.openshift.io/nodejs patched');
    const json = await ok([
      'patch',
      'is',
      'nodejs',
      '--type=json',
      '-p',
      '[{"op":"add","path":"/spec/tags/-","value":{"name":"lts","from":{"kind":"ImageStreamTag","name":"22-ubi9"}}}]',
    ]);
    expect(json.stdout.trim()).toBe('imagestream.image.openshift.io/nodejs patched');
    const nodejs = await getJson(['is', 'nodejs']);
    expect(nodejs.metadata.labels).toEqual({ app: 'nodejs', team: 'web' });
    expect(nodejs.spec.tags.map((t: { name: string }) => t.name)).toEqual(['22-ubi9', 'lts']);
  });

  it('says why a strategic patch (kubectl patch’s default) is refused for an ImageStream', async () => {
    const refused = await kubectl.run(['patch', 'is', 'nodejs', '-p', '{"metadata":{"labels":{"x":"y"}}}']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('application/strategic-merge-patch+json is not supported');
    expect(refused.stderr).toContain('application/merge-patch+json');
  });

  it('edits with EDITOR set to a script that changes the file', async () => {
    const editor = join(scratch, 'editor.sh');
    await writeFile(editor, '#!/bin/sh\nsed -i "s/local: false/local: true/" "$1"\n');
    await chmod(editor, 0o755);
    const edited = await ok(['edit', 'is', 'nodejs'], { env: { EDITOR: editor, KUBE_EDITOR: editor } });
    expect(edited.stdout.trim()).toBe('imagestream.image.openshift.io/nodejs edited');
    expect((await getJson(['is', 'nodejs'])).spec.lookupPolicy).toEqual({ local: true });
  });
});

describe('kubectl explain', () => {
  it('prints our description of imagestream.spec.tags.importPolicy and its fields', async () => {
    const explained = await ok(['explain', 'imagestream.spec.tags.importPolicy']);
    expect(explained.stdout).toContain('GROUP:      image.openshift.io');
    expect(explained.stdout).toContain('How images for this tag are imported.');
    expect(explained.stdout).toMatch(/importMode\s+<string>/);
    expect(explained.stdout).toContain('Our default is PreserveOriginal');
  });
});

describe('Kubernetes’ own kinds, patched with strategic merge', () => {
  it('applies a Secret manifest over a secret kubectl create made, merging on the server', async () => {
    await ok([
      'create',
      'secret',
      'docker-registry',
      'quay-pull',
      '--docker-server=quay.io',
      '--docker-username=u',
      '--docker-password=p',
    ]);
    const applied = await ok(['apply', '-f', join(fixtures, 'registry-secret.yaml')]);
    expect(applied.stdout.trim()).toBe('secret/quay-pull configured');
    const secret = await getJson(['secret', 'quay-pull']);
    expect(secret.data).toBeUndefined();
    expect(secret.metadata.annotations['imagestreams.dev/registries']).toBe('ghcr.io,quay.io');
    expect(JSON.stringify(secret)).not.toContain('rotated');
    const sealed = (await api.stores.secrets.listSecrets('demo')).find((s) => s.name === 'quay-pull')?.sealed ?? '';
    const config = JSON.parse(await new AesGcmCipher(key).open(sealed, 'demo/quay-pull'));
    expect(config.auths['quay.io']).toEqual({ username: 'u', password: 'rotated' });
  });

  it('patches a role binding kubectl create made', async () => {
    await ok(['create', 'rolebinding', 'bob-edit', '--clusterrole=edit', '--user=bob']);
    const patched = await ok([
      'patch',
      'rolebinding',
      'bob-edit',
      '-p',
      '{"subjects":[{"kind":"User","name":"bob","apiGroup":"rbac.authorization.k8s.io"},{"kind":"Group","name":"devs","apiGroup":"rbac.authorization.k8s.io"}]}',
    ]);
    expect(patched.stdout.trim()).toBe('rolebinding.rbac.authorization.k8s.io/bob-edit patched');
    const binding = (await api.stores.access.listRoleBindings('demo')).find((b) => b.name === 'bob-edit');
    expect(binding).toMatchObject({
      role: 'edit',
      subjects: [
        { kind: 'User', name: 'bob' },
        { kind: 'Group', name: 'devs' },
      ],
    });
  });
});
