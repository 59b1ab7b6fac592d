import { sourceTagOf } from '../policy/source-tag.ts';
import { describeTagPolicy, parseTagPolicy, type TagPolicy } from '../policy/tag-policy.ts';
import { parseDockerImageReference } from '../references/docker-image-reference.ts';
import { describeMatcher, parseVerifyPolicy, type VerifyPolicy } from '../signatures/verify-policy.ts';
import { observedGeneration } from '../streams/generations.ts';
import { prioritizeTags } from '../streams/prioritize-tags.ts';
import { isSameStreamTag } from '../streams/source-references.ts';
import type { StreamState, TagRecord, TagReference } from '../streams/types.ts';
import { ago } from './human-duration.ts';
import { alignTabs } from './tab-writer.ts';

const none = '<none>';

/** Text of `oc describe is <name>` (reference §7.1). */
export function describeImageStream(state: StreamState, now: Date, repository = ''): string {
  const { stream } = state;
  const annotations = { ...stream.annotations };
  const description = annotations.description;
  delete annotations.description;
  const lines = [
    field('Name', stream.name),
    field('Namespace', stream.namespace),
    field('Created', ago(stream.creationTimestamp, now)),
    ...mapField('Labels', stream.labels),
    ...(description !== undefined ? [field('Description', description)] : []),
    ...mapField('Annotations', annotations),
    field('Image Repository', repository),
    field('Image Lookup', `local=${stream.lookupLocal}`),
  ];
  if (state.tags.length === 0) return `${alignTabs([...lines, field('Tags', '')].join('\n'))}\n`;

  // As oc counts: by image id; entries with only a pull spec all land on the empty id, so they count once.
  const uniqueImages = new Set(
    state.tags.flatMap((t) => t.items.filter((i) => i.image || i.dockerImageReference).map((i) => i.image)),
  );
  lines.push(field('Unique Images', String(uniqueImages.size)), field('Tags', String(state.tags.length)), '');

  const byName = new Map(state.tags.map((t) => [t.name, t]));
  const aliasesOf = aliasesByTarget(state, byName);
  const hidden = new Set([...aliasesOf.values()].flat());
  const blocks = prioritizeTags(byName.keys())
    .filter((name) => !hidden.has(name))
    .map((name) => tagBlock(state, byName.get(name) as TagRecord, aliasesOf.get(name) ?? [], now));
  return `${alignTabs([...lines, blocks.join('\n\n')].join('\n'))}\n`;
}

/**
 * Same-stream aliases (`reference: true` ones too, as oc follows them), listed under the spec tag at the end of
 * their chain; dangling or cyclic chains print on their own.
 */
function aliasesByTarget(state: StreamState, byName: Map<string, TagRecord>): Map<string, string[]> {
  const { namespace, name } = state.stream;
  const targetOf = (tag: TagRecord) => isSameStreamTag(tag.spec?.from, namespace, name);
  const finalTarget = (tag: TagRecord): string | undefined => {
    const seen = new Set([tag.name]);
    for (let target = targetOf(tag); target !== undefined; ) {
      const next = byName.get(target);
      if (!next?.spec || seen.has(target)) return undefined;
      seen.add(target);
      const further = targetOf(next);
      if (further === undefined) return target;
      target = further;
    }
    return undefined;
  };
  const result = new Map<string, string[]>();
  for (const tag of byName.values()) {
    const target = finalTarget(tag);
    if (target !== undefined) result.set(target, [...(result.get(target) ?? []), tag.name]);
  }
  for (const [target, aliases] of result) result.set(target, prioritizeTags(aliases));
  return result;
}

function tagBlock(state: StreamState, tag: TagRecord, aliases: string[], now: Date): string {
  const out = [
    aliases.length ? `${tag.name} (${aliases.join(', ')})` : tag.name,
    `  ${sourceLine(tag.spec, state.stream.namespace)}`,
  ];
  const policy = policyLine(tag);
  if (policy) out.push(`    ${policy}`);
  const verify = verifyLine(tag);
  if (verify) out.push(`    ${verify}`);
  if (tag.spec?.importPolicy?.insecure) out.push('    will use insecure HTTPS or HTTP connections');
  if (tag.spec?.referencePolicy?.type === 'Local')
    out.push('    prefer registry pullthrough when referencing this tag');
  out.push('');

  const notes = tag.spec?.annotations ?? {};
  const extra = [
    notes.description,
    notes.tags && `Tags: ${splitList(notes.tags)}`,
    notes.supports && `Supports: ${splitList(notes.supports)}`,
    notes.sampleRepo && `Example Repo: ${notes.sampleRepo}`,
  ].filter((line): line is string => Boolean(line));
  if (extra.length) out.push(...extra.map((line) => `  ${line}`), '');

  if (awaitsImport(tag)) out.push('  ~ importing latest image ...');
  for (const condition of tag.conditions) {
    if (condition.status !== 'False') continue;
    if (condition.type === 'LocalReference') {
      out.push(
        `  ! warning: Not served by the integrated registry (${condition.reason ?? ''}): ${condition.message ?? ''}`,
        `      ${ago(condition.lastTransitionTime, now)}`,
      );
      continue;
    }
    out.push(
      `  ! error: Import failed (${condition.reason ?? ''}): ${condition.message ?? ''}`,
      `      ${ago(condition.lastTransitionTime, now)}`,
    );
  }
  tag.items.forEach((item, i) => {
    out.push(`  ${i === 0 ? '*' : ' '} ${item.dockerImageReference}`);
    const id = item.image && idOf(item.dockerImageReference) !== item.image ? `\t${item.image}` : '';
    out.push(`      ${ago(item.created, now)}${id}`);
    if (item.signedBy) out.push(`      signed by ${item.signedBy}`);
  });
  while (out.at(-1) === '') out.pop();
  return out.join('\n');
}

/** `only signed images: key secret/cosign-pub` for a tag with imagestreams.dev/verify. */
function verifyLine(tag: TagRecord): string | undefined {
  let policy: VerifyPolicy | undefined;
  try {
    policy = parseVerifyPolicy(tag.spec?.annotations);
  } catch {
    return undefined;
  }
  if (!policy) return undefined;
  return policy.mode === 'key'
    ? `only signed images: key secret/${policy.secret}`
    : `only signed images: identity ${describeMatcher(policy.identity)}, issuer ${describeMatcher(policy.issuer)}`;
}

/** `newest matching semver >=3.11.0 <4.0.0: 3.12.7` for a policy tag: the policy and the tag it chose. */
function policyLine(tag: TagRecord): string | undefined {
  let policy: TagPolicy | undefined;
  try {
    policy = parseTagPolicy(tag.spec?.annotations);
  } catch {
    return undefined;
  }
  return policy && `${describeTagPolicy(policy)}: ${sourceTagOf(tag.spec, tag.items[0]) ?? none}`;
}

/**
 * oc's own test, whatever the source kind: a spec generation newer than the status has seen. So an alias whose
 * target has no image yet reads as importing, where our import logic (isPendingImport) only imports DockerImage.
 */
function awaitsImport(tag: TagRecord): boolean {
  const spec = tag.spec;
  return (
    Boolean(spec?.from) && !spec?.reference && spec?.generation != null && spec.generation > observedGeneration(tag)
  );
}

function sourceLine(spec: TagReference | null, namespace: string): string {
  if (!spec) return 'no spec tag';
  const from = spec.from;
  if (!from) return 'tag without source image';
  const name = from.namespace && from.namespace !== namespace ? `${from.namespace}/${from.name}` : from.name;
  switch (from.kind) {
    case 'ImageStreamTag':
      return spec.reference
        ? `reference to ${name}`
        : spec.importPolicy?.scheduled
          ? `updates automatically from ${name}`
          : `tagged from ${name}`;
    case 'DockerImage':
      return spec.reference
        ? `reference to registry ${name}`
        : spec.importPolicy?.scheduled
          ? `updates automatically from registry ${name}`
          : `tagged from ${name}`;
    case 'ImageStreamImage':
      return spec.reference ? `reference to image ${name}` : `tagged from ${name}`;
  }
}

function idOf(pullSpec: string): string {
  try {
    return parseDockerImageReference(pullSpec).id;
  } catch {
    return '';
  }
}

function splitList(value: string): string {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .join(', ');
}

function field(label: string, value: string): string {
  const [first = '', ...rest] = (value === '' ? none : value).split('\n');
  return [`${label}:\t${first}`, ...rest.map((line) => `\t${line}`)].join('\n');
}

function mapField(label: string, map: Record<string, string>): string[] {
  const keys = Object.keys(map).sort();
  if (keys.length === 0) return [field(label, '')];
  return keys.map((key, i) => (i === 0 ? field(label, `${key}=${map[key]}`) : `\t${key}=${map[key]}`));
}
