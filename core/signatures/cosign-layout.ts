// Where cosign puts signatures and what they claim, read without any I/O (issue 16; the formats are
// cosign's specs/SIGNATURE_SPEC.md and the OCI distribution spec's referrers).

/** Layer annotation holding the base64 signature over the layer blob (the simple-signing payload). */
export const signatureAnnotationKey = 'dev.cosignproject.cosign/signature';
export const certificateAnnotationKey = 'dev.sigstore.cosign/certificate';
export const chainAnnotationKey = 'dev.sigstore.cosign/chain';
export const rekorBundleAnnotationKey = 'dev.sigstore.cosign/bundle';
export const simpleSigningMediaType = 'application/vnd.dev.cosign.simplesigning.v1+json';
/** Artifact types of a Sigstore bundle attached as a referrer (cosign 3 writes the first). */
export const bundleMediaTypes = [
  'application/vnd.dev.sigstore.bundle.v0.3+json',
  'application/vnd.dev.sigstore.bundle+json;version=0.3',
  'application/vnd.dev.sigstore.bundle+json;version=0.2',
  'application/vnd.dev.sigstore.bundle+json;version=0.1',
];

/** Signatures read per digest at most: each costs a blob fetch and a verification. */
export const maxSignatures = 16;
/** A simple-signing payload is a few hundred bytes; a bundle a few kilobytes. Larger blobs are not fetched. */
export const maxPayloadBytes = 64 * 1024;
export const maxBundleBytes = 256 * 1024;

export interface BlobRef {
  digest: string;
  size: number;
}

/** One layer of a `.sig` manifest: the payload blob and what the annotations carry. */
export interface SimpleSigningLayer extends BlobRef {
  signature: string;
  certificate?: string;
  chain?: string;
  rekorBundle?: string;
}

/** The tag cosign stores the signatures of `digest` under: `sha256-<hex>.sig`. */
export function signatureTag(digest: string): string {
  return `${digest.replace(':', '-')}.sig`;
}

const digestRegExp = /^sha256:[0-9a-f]{64}$/;

function parseJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    return undefined;
  }
}

function blobRef(value: unknown): BlobRef | undefined {
  const d = value as { digest?: unknown; size?: unknown } | null;
  if (!d || typeof d.digest !== 'string' || !digestRegExp.test(d.digest)) return undefined;
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) return undefined;
  return { digest: d.digest, size: d.size };
}

/** The signature layers of a `.sig` manifest; a string saying what is wrong when it is not one. */
export function parseSignatureManifest(body: Uint8Array): SimpleSigningLayer[] | string {
  const json = parseJson(body) as { layers?: unknown } | undefined;
  if (!json || !Array.isArray(json.layers)) return 'the signature manifest is not an image manifest with layers';
  const out: SimpleSigningLayer[] = [];
  for (const layer of json.layers.slice(0, maxSignatures)) {
    const ref = blobRef(layer);
    const annotations = (layer as { annotations?: Record<string, unknown> }).annotations ?? {};
    const signature = annotations[signatureAnnotationKey];
    if (!ref || typeof signature !== 'string') continue;
    const text = (key: string) => (typeof annotations[key] === 'string' ? (annotations[key] as string) : undefined);
    const certificate = text(certificateAnnotationKey);
    const chain = text(chainAnnotationKey);
    const rekorBundle = text(rekorBundleAnnotationKey);
    out.push({
      ...ref,
      signature,
      ...(certificate ? { certificate } : {}),
      ...(chain ? { chain } : {}),
      ...(rekorBundle ? { rekorBundle } : {}),
    });
  }
  if (out.length === 0) return `the signature manifest has no layer with a ${signatureAnnotationKey} annotation`;
  return out;
}

/**
 * Checks a simple-signing payload's claim: it must name `digest` as `critical.image.docker-manifest-digest`
 * (cosign's SimpleClaimVerifier; Go reads the key case-insensitively, so the spec's `Docker-manifest-digest`
 * spelling counts too). `docker-reference` is ignored, as cosign verify ignores it. Answers what is wrong.
 */
export function checkSimpleSigningClaim(payload: Uint8Array, digest: string): string | undefined {
  const json = parseJson(payload) as { critical?: Record<string, unknown> } | undefined;
  const critical = json?.critical;
  if (!critical || typeof critical !== 'object') return 'the payload is not a cosign simple-signing document';
  if (critical.type !== 'cosign container image signature')
    return `the payload's type is ${JSON.stringify(critical.type)}, not "cosign container image signature"`;
  const image = critical.image as Record<string, unknown> | undefined;
  const key = Object.keys(image ?? {}).find((k) => k.toLowerCase() === 'docker-manifest-digest');
  const claimed = key ? image?.[key] : undefined;
  if (claimed !== digest)
    return `the payload signs ${typeof claimed === 'string' ? claimed : 'no digest'}, not ${digest}`;
  return undefined;
}

/** The bundle manifests among a referrers index's entries (at most maxSignatures). */
export function bundleReferrers(body: Uint8Array): BlobRef[] {
  const json = parseJson(body) as { manifests?: unknown } | undefined;
  if (!json || !Array.isArray(json.manifests)) return [];
  return json.manifests
    .filter((m) => bundleMediaTypes.includes((m as { artifactType?: unknown })?.artifactType as string))
    .map(blobRef)
    .filter((r): r is BlobRef => r !== undefined)
    .slice(0, maxSignatures);
}

/** The bundle layer of a referrer manifest, or what is wrong with it. */
export function bundleLayer(body: Uint8Array, digest: string): BlobRef | string {
  const json = parseJson(body) as { layers?: unknown; subject?: unknown } | undefined;
  if (!json || !Array.isArray(json.layers)) return 'the bundle manifest is not an image manifest with layers';
  if (blobRef(json.subject)?.digest !== digest) return `the bundle manifest's subject is not ${digest}`;
  const layer = json.layers.find((l) => bundleMediaTypes.includes((l as { mediaType?: unknown })?.mediaType as string));
  return blobRef(layer) ?? 'the bundle manifest has no Sigstore bundle layer';
}

/**
 * Checks an in-toto statement signed in a bundle's DSSE envelope: one subject must carry `digest`'s sha256
 * (cosign's IntotoSubjectClaimVerifier; @sigstore/verify does not look inside the statement). Answers what is wrong.
 */
export function checkStatementSubject(statement: Uint8Array, digest: string): string | undefined {
  const json = parseJson(statement) as { subject?: unknown } | undefined;
  if (!json || !Array.isArray(json.subject)) return 'the signed statement has no subject';
  const hex = digest.slice('sha256:'.length);
  const named = json.subject.some((s) => (s as { digest?: Record<string, unknown> })?.digest?.sha256 === hex);
  return named ? undefined : `the signed statement does not name ${digest}`;
}
