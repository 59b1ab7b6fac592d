/**
 * The client settings for an AWS service reached at `endpoint` instead of its own (local mode and tests: a
 * loopback stand-in, which takes any signature): placeholder credentials, so that nothing of the machine's is
 * looked up or signed with there. Nothing when `endpoint` is unset: the region's endpoint, the function's own
 * credentials.
 */
export function endpointOverride(
  endpoint: string | undefined,
): { endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string } } | Record<string, never> {
  return endpoint ? { endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {};
}
