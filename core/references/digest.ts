// Registered digest algorithms of the OCI image spec (descriptor.md#digests) and the length of their
// lowercase hex encoding; anything else is refused before it is stored.
const hexLengths: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/** Why `digest` (`algorithm:hex`) is not a digest we can verify, or undefined when it is one. */
export function digestProblem(digest: string): string | undefined {
  const colon = digest.indexOf(':');
  const algorithm = digest.slice(0, colon);
  const hex = digest.slice(colon + 1);
  const length = hexLengths[algorithm];
  if (colon < 0 || length === undefined)
    return `unsupported digest algorithm ${JSON.stringify(algorithm)}: use sha256, sha384 or sha512`;
  if (hex.length !== length)
    return `a ${algorithm} digest has ${length} lowercase hexadecimal characters, not ${hex.length}`;
  if (!/^[0-9a-f]+$/.test(hex)) return `a ${algorithm} digest has ${length} lowercase hexadecimal characters`;
  return undefined;
}
