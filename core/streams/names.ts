import { BadRequestError, type FieldCause, InvalidError } from '../errors.ts';

// Validation rules of reference §2 (OpenShift's validation.go), with tag names checked on the server.
const streamNameRegExp = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const namespaceRegExp = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const tagNameRegExp = /^[\w][\w.-]{0,127}$/;
const objectNameRegExp = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const maxNamespaceLength = 63;
const maxQualifiedNameLength = 255;

function cause(field: string, message: string, reason: FieldCause['reason'] = 'FieldValueInvalid'): FieldCause {
  return { reason, field, message };
}

export function validateNamespace(namespace: string, field = 'metadata.namespace'): FieldCause[] {
  if (namespace === '') return [cause(field, 'Required value', 'FieldValueRequired')];
  if (namespace.length > maxNamespaceLength)
    return [cause(field, `must be no more than ${maxNamespaceLength} characters`, 'FieldValueTooLong')];
  if (!namespaceRegExp.test(namespace)) {
    return [
      cause(
        field,
        `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character`,
      ),
    ];
  }
  return [];
}

export function validateStreamName(name: string, namespace: string, field = 'metadata.name'): FieldCause[] {
  if (name === '') return [cause(field, 'name or generateName is required', 'FieldValueRequired')];
  if (name === '.' || name === '..' || name.includes('/') || name.includes('%')) {
    return [cause(field, 'may not be "." or "..", and may not contain "/" or "%"')];
  }
  if (!streamNameRegExp.test(name)) return [cause(field, `must match "${streamNameRegExp.source.slice(1, -1)}"`)];
  if (`${namespace}/${name}`.length > maxQualifiedNameLength) {
    return [
      cause(field, `'namespace/name' cannot be longer than ${maxQualifiedNameLength} characters`, 'FieldValueTooLong'),
    ];
  }
  return [];
}

export function validateTagName(tag: string, field: string): FieldCause[] {
  if (tag === '') return [cause(field, 'Required value', 'FieldValueRequired')];
  if (!tagNameRegExp.test(tag)) {
    return [
      cause(
        field,
        'tags must start with a letter, digit or underscore and contain only letters, digits, "_", "." and "-", at most 128 characters',
      ),
    ];
  }
  return [];
}

/** Splits `<stream>:<tag>`; undefined when it is not exactly that. */
export function splitStreamTag(name: string): { stream: string; tag: string } | undefined {
  const parts = name.split(':');
  if (parts.length !== 2 || name.includes('@')) return undefined;
  const [stream = '', tag = ''] = parts;
  return stream && tag ? { stream, tag } : undefined;
}

/** Splits `<stream>@<id>`; undefined when it is not exactly that. */
export function splitStreamImage(name: string): { stream: string; id: string } | undefined {
  const parts = name.split('@');
  if (parts.length !== 2) return undefined;
  const [stream = '', id = ''] = parts;
  return stream && id ? { stream, id } : undefined;
}

/** A Kubernetes object name (RFC 1123 subdomain): secrets, triggers, role bindings, label prefixes. */
export function isObjectName(name: string): boolean {
  return name.length <= 253 && objectNameRegExp.test(name);
}

/** The cause for a Secret, RoleBinding, trigger or receiver name that is not a lowercase RFC 1123 subdomain. */
export function validateObjectName(name: string): FieldCause[] {
  return isObjectName(name) ? [] : [cause('metadata.name', 'must be a lowercase RFC 1123 subdomain')];
}

/** The namespace of the URL, or InvalidError. */
export function requireNamespace(namespace: string): void {
  const causes = validateNamespace(namespace);
  if (causes.length) throw new InvalidError('Namespace', namespace, causes);
}

/** A body may name its namespace and object, but only as the URL does. */
export function checkBodyIdentity(
  metadata: { name?: string | undefined; namespace?: string | undefined },
  namespace: string,
  urlName?: string,
): void {
  if (metadata.namespace && metadata.namespace !== namespace) {
    throw new BadRequestError('the namespace of the provided object does not match the namespace sent on the request');
  }
  if (urlName !== undefined && metadata.name !== undefined && metadata.name !== urlName) {
    throw new BadRequestError(
      `the name of the object (${metadata.name}) does not match the name on the URL (${urlName})`,
    );
  }
}
