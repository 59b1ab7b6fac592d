import { RE2JS, RE2JSException } from 're2js';
import type { FieldCause } from '../errors.ts';
import { ImageStreamsError } from '../errors.ts';
import { annotationField } from '../policy/policy-annotations.ts';
import type { TagReferenceInput } from '../streams/schemas.ts';

// The annotation keys are the interface (issue 16). Exact and regular-expression matchers are separate keys,
// as cosign's --certificate-identity / --certificate-identity-regexp flags are.
/** `key` (a public key from a Secret) or `keyless` (a Fulcio certificate and a Rekor entry). */
export const verifyAnnotation = 'imagestreams.dev/verify';
/** `secret/<name>`: an Opaque Secret of the stream's namespace whose `cosign.pub` holds the PEM public key. */
export const verifyKeyAnnotation = 'imagestreams.dev/verify-key';
/** The certificate's subject alternative name, exactly. */
export const verifyIdentityAnnotation = 'imagestreams.dev/verify-identity';
/** A regular expression (RE2, whole value) the certificate's subject alternative name must match. */
export const verifyIdentityRegExpAnnotation = 'imagestreams.dev/verify-identity-regexp';
/** The certificate's OIDC issuer, exactly. */
export const verifyIssuerAnnotation = 'imagestreams.dev/verify-issuer';
/** A regular expression (RE2, whole value) the certificate's OIDC issuer must match. */
export const verifyIssuerRegExpAnnotation = 'imagestreams.dev/verify-issuer-regexp';

const allKeys = [
  verifyAnnotation,
  verifyKeyAnnotation,
  verifyIdentityAnnotation,
  verifyIdentityRegExpAnnotation,
  verifyIssuerAnnotation,
  verifyIssuerRegExpAnnotation,
];

/** The data key of the Secret that holds the public key, as `cosign generate-key-pair k8s://` writes it. */
export const publicKeyDataKey = 'cosign.pub';
const maxPatternLength = 512;
const secretNameRegExp = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** A matcher of a certificate field: the exact value, or an RE2 expression the whole value must match. */
export type FieldMatcher = { exact: string } | { regExp: string };

export type VerifyPolicy =
  | { mode: 'key'; secret: string }
  | { mode: 'keyless'; identity: FieldMatcher; issuer: FieldMatcher };

/** A verify annotation that cannot be used; `annotation` names the key at fault. */
export class VerifyPolicyError extends ImageStreamsError {
  readonly annotation: string;
  readonly detail: string;
  constructor(annotation: string, detail: string) {
    super('verify.invalid', 'Invalid', `${annotation}: ${detail}`);
    this.annotation = annotation;
    this.detail = detail;
  }
}

/** The tag's signature policy, undefined without `imagestreams.dev/verify`; VerifyPolicyError when malformed. */
export function parseVerifyPolicy(
  annotations: Readonly<Record<string, string>> | null | undefined,
): VerifyPolicy | undefined {
  const mode = annotations?.[verifyAnnotation];
  if (mode === undefined) {
    const stray = allKeys.find((k) => annotations?.[k] !== undefined);
    if (stray) throw new VerifyPolicyError(stray, `only applies with ${verifyAnnotation}: key or keyless`);
    return undefined;
  }
  const get = (key: string) => annotations?.[key];
  if (mode === 'key') {
    for (const key of [
      verifyIdentityAnnotation,
      verifyIdentityRegExpAnnotation,
      verifyIssuerAnnotation,
      verifyIssuerRegExpAnnotation,
    ])
      if (get(key) !== undefined) throw new VerifyPolicyError(key, `only applies with ${verifyAnnotation}: keyless`);
    const ref = get(verifyKeyAnnotation);
    if (ref === undefined)
      throw new VerifyPolicyError(verifyKeyAnnotation, 'Required value: secret/<name> holding cosign.pub');
    const name = /^secret\/(.+)$/.exec(ref)?.[1];
    if (!name || name.length > 253 || !secretNameRegExp.test(name))
      throw new VerifyPolicyError(
        verifyKeyAnnotation,
        `must be secret/<name> naming a Secret of this namespace, not "${ref}"`,
      );
    return { mode: 'key', secret: name };
  }
  if (mode === 'keyless') {
    if (get(verifyKeyAnnotation) !== undefined)
      throw new VerifyPolicyError(verifyKeyAnnotation, `only applies with ${verifyAnnotation}: key`);
    return {
      mode: 'keyless',
      identity: matcher(get, verifyIdentityAnnotation, verifyIdentityRegExpAnnotation),
      issuer: matcher(get, verifyIssuerAnnotation, verifyIssuerRegExpAnnotation),
    };
  }
  throw new VerifyPolicyError(verifyAnnotation, `must be "key" or "keyless", not "${mode}"`);
}

function matcher(get: (key: string) => string | undefined, exactKey: string, regExpKey: string): FieldMatcher {
  const exact = get(exactKey);
  const regExp = get(regExpKey);
  if (exact !== undefined && regExp !== undefined)
    throw new VerifyPolicyError(regExpKey, `give either ${exactKey} or ${regExpKey}, not both`);
  if (exact !== undefined) {
    if (exact === '') throw new VerifyPolicyError(exactKey, 'must not be empty');
    return { exact };
  }
  if (regExp === undefined)
    throw new VerifyPolicyError(exactKey, `Required value: keyless verification needs ${exactKey} or ${regExpKey}`);
  if (regExp === '') throw new VerifyPolicyError(regExpKey, 'must not be empty');
  if (regExp.length > maxPatternLength)
    throw new VerifyPolicyError(regExpKey, `must be at most ${maxPatternLength} characters`);
  try {
    RE2JS.compile(regExp);
  } catch (error) {
    if (!(error instanceof RE2JSException)) throw error;
    throw new VerifyPolicyError(regExpKey, `not a valid regular expression: ${error.message}`);
  }
  return { regExp };
}

/** Whether `value` satisfies `m`; a regular expression must match the whole value (RE2 semantics, linear time). */
export function matches(m: FieldMatcher, value: string | undefined): boolean {
  if (value === undefined) return false;
  return 'exact' in m ? m.exact === value : RE2JS.compile(m.regExp).matches(value);
}

export function describeMatcher(m: FieldMatcher): string {
  return 'exact' in m ? `"${m.exact}"` : `matching /${m.regExp}/`;
}

/** Field checks of a spec tag's verify annotations: each cause names the annotation at fault. */
export function validateVerifyPolicy(tag: TagReferenceInput, field: string): FieldCause[] {
  try {
    const policy = parseVerifyPolicy(tag.annotations);
    if (policy && tag.from && tag.from.kind !== 'DockerImage')
      return [
        {
          reason: 'FieldValueInvalid',
          field: annotationField(field, verifyAnnotation),
          message: 'signatures are verified on import: from must be a DockerImage',
        },
      ];
    return [];
  } catch (error) {
    if (!(error instanceof VerifyPolicyError)) throw error;
    return [{ reason: 'FieldValueInvalid', field: annotationField(field, error.annotation), message: error.detail }];
  }
}
