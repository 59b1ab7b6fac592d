import { ECRClient } from '@aws-sdk/client-ecr';
import { endpointOverride } from '../aws-endpoint.ts';

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

/**
 * The one way an ECR client is built: for the registry's region, with the function's own credentials unless
 * others are given; an endpoint (tests, a loopback stand-in) gets placeholder credentials by default.
 */
export function ecrClient(region: string, endpoint?: string, credentials?: Credentials): ECRClient {
  return new ECRClient({ region, ...endpointOverride(endpoint), ...(credentials ? { credentials } : {}) });
}
