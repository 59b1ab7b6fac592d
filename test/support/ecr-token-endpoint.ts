import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the endpoint served: the operation, its input, and the access key that signed it (SigV4). */
export interface EcrTokenCall {
  service: 'sts' | 'ecr';
  operation: string;
  input: Record<string, any>;
  accessKeyId: string;
}

/** An error the endpoint answers for an operation, as AWS would: its code and HTTP status. */
export interface Fault {
  code: string;
  status: number;
  /** How many calls fail before the operation works again; unset, every call fails. */
  times?: number;
}

export interface EcrTokenEndpoint {
  url: string;
  calls: EcrTokenCall[];
  /** Repository names that exist (CreateRepository adds to it). */
  repositories: Set<string>;
  /** Faults by operation (`AssumeRole`, `GetAuthorizationToken`, `CreateRepository`). */
  faults: Map<string, Fault>;
  /** How long ECR's tokens last from now (12 hours unless a test shortens it). */
  tokenSeconds: number;
  stop(): Promise<void>;
}

const stsNamespace = 'https://sts.amazonaws.com/doc/2011-06-15/';

/**
 * A loopback endpoint speaking the two protocols registry tokens use: STS's query protocol (form-encoded
 * `Action=AssumeRole`, XML answers and errors) and ECR's JSON 1.1 protocol (`X-Amz-Target:
 * AmazonEC2ContainerRegistry_V20150921.<Op>`). Session credentials are `ASIA<n>`; an ECR token's password
 * names the access key that asked for it, so a test sees whose token it got.
 */
export async function startEcrTokenEndpoint(): Promise<EcrTokenEndpoint> {
  const calls: EcrTokenCall[] = [];
  const repositories = new Set<string>();
  const faults = new Map<string, Fault>();
  let sessions = 0;
  const endpoint = { tokenSeconds: 12 * 60 * 60 };

  /** The fault to answer for this call, counting down limited ones. */
  const faultFor = (operation: string): Fault | undefined => {
    const fault = faults.get(operation);
    if (!fault) return undefined;
    if (fault.times !== undefined) {
      if (fault.times <= 0) return undefined;
      fault.times--;
    }
    return fault;
  };

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const accessKeyId = /Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1] ?? '';
    const target = String(req.headers['x-amz-target'] ?? '');

    if (target.startsWith('AmazonEC2ContainerRegistry_V20150921.')) {
      const operation = target.split('.')[1] ?? '';
      const input = text ? (JSON.parse(text) as Record<string, any>) : {};
      calls.push({ service: 'ecr', operation, input, accessKeyId });
      const send = (status: number, body: unknown) =>
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(body));
      const fault = faultFor(operation);
      if (fault) return send(fault.status, { __type: fault.code, message: `${fault.code} (test endpoint)` });
      if (operation === 'GetAuthorizationToken') {
        const token = Buffer.from(`AWS:password-of-${accessKeyId}`).toString('base64');
        return send(200, {
          authorizationData: [
            {
              authorizationToken: token,
              expiresAt: Math.floor(Date.now() / 1000) + endpoint.tokenSeconds,
              proxyEndpoint: 'https://123456789012.dkr.ecr.eu-west-1.amazonaws.com',
            },
          ],
        });
      }
      if (operation === 'CreateRepository') {
        const name = String(input.repositoryName);
        if (repositories.has(name))
          return send(400, {
            __type: 'RepositoryAlreadyExistsException',
            message: `The repository with name '${name}' already exists in the registry with id '123456789012'`,
          });
        repositories.add(name);
        return send(200, {
          repository: {
            repositoryName: name,
            repositoryArn: `arn:aws:ecr:eu-west-1:123456789012:repository/${name}`,
            registryId: '123456789012',
            repositoryUri: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/${name}`,
            imageTagMutability: input.imageTagMutability,
            imageScanningConfiguration: input.imageScanningConfiguration,
          },
        });
      }
      return send(400, { __type: 'UnknownOperationException', message: operation });
    }

    const form = new URLSearchParams(text);
    const operation = form.get('Action') ?? '';
    calls.push({ service: 'sts', operation, input: Object.fromEntries(form), accessKeyId });
    const xml = (status: number, body: string) =>
      res.writeHead(status, { 'content-type': 'text/xml' }).end(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
    const fault = faultFor(operation);
    if (fault)
      return xml(
        fault.status,
        `<ErrorResponse xmlns="${stsNamespace}"><Error><Type>${fault.status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${fault.code}</Code><Message>${fault.code} (test endpoint)</Message></Error><RequestId>r-${calls.length}</RequestId></ErrorResponse>`,
      );
    if (operation !== 'AssumeRole')
      return xml(
        400,
        `<ErrorResponse xmlns="${stsNamespace}"><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>${operation}</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
      );
    sessions++;
    const expiration = new Date(Date.now() + Number(form.get('DurationSeconds') ?? 3600) * 1000);
    return xml(
      200,
      `<AssumeRoleResponse xmlns="${stsNamespace}"><AssumeRoleResult><Credentials><AccessKeyId>ASIA${sessions}</AccessKeyId><SecretAccessKey>secret-${sessions}</SecretAccessKey><SessionToken>session-${sessions}</SessionToken><Expiration>${expiration.toISOString()}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROA:${form.get('RoleSessionName')}</AssumedRoleId><Arn>arn:aws:sts::123456789012:assumed-role/tokens/${form.get('RoleSessionName')}</Arn></AssumedRoleUser><PackedPolicySize>12</PackedPolicySize></AssumeRoleResult><ResponseMetadata><RequestId>r-${calls.length}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(endpoint, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    repositories,
    faults,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  });
}
