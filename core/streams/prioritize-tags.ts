import semver from 'semver';

// OpenShift's PrioritizeTags: `latest`, then minor versions (5.1, v5.1, 5.1-rc1) newest first, then full
// semantic versions newest first, then the rest in byte order. Used by describe and repository imports.
const minorVersion = /^\d+\.\d+$/;
const minorWithSuffix = /^(\d+\.\d+)-\w+$/;
// semver.parse throws and catches inside for a name that is not a version, a stack trace per tag; most
// tag names are not versions, and none is unless a digit comes first (after blanks and one `v`).
const mayBeVersion = /^\s*v?\d/;

interface Ranked {
  tag: string;
  priority: number;
  version?: semver.SemVer;
  prefix: string;
}

function rank(tag: string): Ranked {
  if (tag === 'latest') return { tag, priority: 0, prefix: '' };
  const prefix = tag.startsWith('v') ? 'v' : '';
  const short = tag.slice(prefix.length);
  if (!mayBeVersion.test(short)) return { tag, priority: 3, prefix };
  const full = semver.parse(short);
  if (full) return { tag, priority: 2, version: full, prefix };
  const suffixed = minorWithSuffix.exec(short);
  const minor = minorVersion.test(short)
    ? semver.parse(`${short}.0`)
    : suffixed
      ? semver.parse(short.replace(suffixed[1] ?? '', `${suffixed[1]}.0`))
      : null;
  if (minor) return { tag, priority: 1, version: minor, prefix };
  return { tag, priority: 3, prefix };
}

function compare(a: Ranked, b: Ranked): number {
  if (a.priority !== b.priority) return a.priority - b.priority;
  if (a.version && b.version) {
    const byVersion = semver.compare(b.version, a.version);
    if (byVersion !== 0) return byVersion;
    return a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0;
  }
  return a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0;
}

export function prioritizeTags(tags: Iterable<string>): string[] {
  return [...tags]
    .map(rank)
    .sort(compare)
    .map((r) => r.tag);
}
