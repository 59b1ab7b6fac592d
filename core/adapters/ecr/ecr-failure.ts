/** An ECR API error as a reason, a message and whether the next try may succeed. */
export function ecrFailure(error: unknown, what: string): { reason: string; message: string; transient: boolean } {
  const {
    name = 'Error',
    message = String(error),
    $metadata,
  } = error as {
    name?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
  };
  if (/Throttl|TooManyRequests/.test(name))
    return { reason: 'Throttled', message: `ECR throttled ${what}: ${message}`, transient: true };
  // A missing permission is fixed by the operator, after which the next import succeeds.
  if (name === 'AccessDeniedException')
    return { reason: 'AccessDenied', message: `ECR refused ${what} to this service: ${message}`, transient: true };
  // The rule's secret is missing, unreadable or undecryptable: the operator fixes it, the next import succeeds.
  if (/^(SecretNotFound|UnableToAccessSecret|UnableToDecryptSecretValue)Exception$/.test(name))
    return {
      reason: 'CredentialUnusable',
      message: `ECR could not use the secret of ${what}: ${message}`,
      transient: true,
    };
  if (name === 'LimitExceededException')
    return { reason: 'LimitExceeded', message: `ECR refused ${what}: ${message}`, transient: false };
  if (
    name === 'UnsupportedUpstreamRegistryException' ||
    name === 'ValidationException' ||
    name === 'InvalidParameterException'
  )
    return { reason: 'Invalid', message: `ECR refused ${what}: ${message}`, transient: false };
  const status = $metadata?.httpStatusCode ?? 0;
  return {
    reason: 'Unavailable',
    message: `ECR failed ${what}: ${name}: ${message}`,
    transient: status === 0 || status >= 500 || name === 'ServerException',
  };
}
