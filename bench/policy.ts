// Policy tags (issue 12): time to pick the winner among 1,000 tags for each policy kind, against a
// plain sort of the same names measured in the same run. Run alone with `npm run bench:policy`.
import { performance } from 'node:perf_hooks';
import { selectTag } from '../core/policy/select-tag.ts';
import type { TagPolicy } from '../core/policy/tag-policy.ts';
import { policyPassBench } from './policy-pass.ts';
import { printTable } from './stats.ts';

/** A repository's worth of tags as real ones look: versions with variants, builds, and junk. */
export function sampleTags(count: number, seed = 1): string[] {
  const tags: string[] = [];
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state;
  };
  const variants = ['', '-slim', '-alpine', '-bookworm', '-rc.1'];
  for (let i = 0; tags.length < count; i++) {
    const r = next() % 10;
    if (r < 5) tags.push(`${next() % 2 ? 'v' : ''}${next() % 5}.${next() % 20}.${next() % 30}${variants[next() % 5]}`);
    else if (r < 8) tags.push(`main-${(next() % 0xffffff).toString(16)}-${1700000000 + (next() % 10000000)}`);
    else tags.push(`junk-${i}.sig`);
  }
  return tags;
}

export async function policyBench(options: { tags: number; rounds: number }): Promise<string[][]> {
  const tags = sampleTags(options.tags);
  const policies: [string, TagPolicy][] = [
    ['semver >=1.2.0 <4.0.0', { order: { kind: 'semver', range: '>=1.2.0 <4.0.0' } }],
    [
      'numerical asc, filter + extract $ts',
      {
        order: { kind: 'numerical', direction: 'asc' },
        pattern: '^main-[a-f0-9]+-(?P<ts>[0-9]+)$',
        extract: '$ts',
      },
    ],
    ['alphabetical asc, filter ^v', { order: { kind: 'alphabetical', direction: 'asc' }, pattern: '^v' }],
  ];
  const time = (action: () => unknown) => {
    for (let i = 0; i < 20; i++) action(); // warm up the JIT
    const samples: number[] = [];
    for (let round = 0; round < options.rounds; round++) {
      const started = performance.now();
      action();
      samples.push(performance.now() - started);
    }
    samples.sort((a, b) => a - b);
    return samples[Math.floor(samples.length / 2)] as number;
  };
  const baseline = time(() => [...tags].sort());
  const rows: string[][] = [
    [`policy evaluation over ${options.tags} tags (median of ${options.rounds})`, 'ms', 'x plain sort', 'target'],
    ['plain sort of the names (baseline)', baseline.toFixed(3), '1.00', ''],
  ];
  for (const [name, policy] of policies) {
    const ms = time(() => selectTag(policy, tags));
    rows.push([name, ms.toFixed(3), (ms / baseline).toFixed(2), '<= 2 ms']);
  }
  return rows;
}

if (import.meta.main) {
  const rows = [
    ...(await policyBench({
      tags: Number(process.env.BENCH_POLICY_TAGS ?? 1000),
      rounds: Number(process.env.BENCH_POLICY_ROUNDS ?? 200),
    })),
    [''],
    ...(await policyPassBench({
      repositories: Number(process.env.BENCH_POLICY_REPOSITORIES ?? 50),
      tagsPerRepository: Number(process.env.BENCH_POLICY_REPOSITORY_TAGS ?? 1000),
      policyTags: Number(process.env.BENCH_POLICY_PASS_TAGS ?? 500),
    })),
  ];
  printTable(rows);
}
