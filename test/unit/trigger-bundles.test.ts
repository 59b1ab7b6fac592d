import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { sstEquivalentBuild } from '../../functions/lib/bundle-options.ts';

/** Every input of a function's package as deployed, lazily loaded chunks included. */
async function inputsOf(entryPoint: string): Promise<string[]> {
  const out = await mkdtemp(join(tmpdir(), 'bundle-'));
  try {
    const result = await build({ ...sstEquivalentBuild(entryPoint, out), absWorkingDir: process.cwd() });
    return Object.keys((result.metafile as Metafile).inputs);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

const targetCode = /core\/adapters\/targets\/|@aws-sdk\/client-(lambda|ecs|codebuild)\//;

describe('the trigger targets’ code', () => {
  it('is not in the API’s package at all (the API fires no trigger), and is in the trigger function’s', async () => {
    const [api, tagChanged] = await Promise.all([inputsOf('functions/api.ts'), inputsOf('functions/tag-changed.ts')]);
    expect(api.filter((input) => targetCode.test(input))).toEqual([]);
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
