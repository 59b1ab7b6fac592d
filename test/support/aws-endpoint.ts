import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AwsCall {
  service: 'codebuild' | 'ecs' | 'lambda' | 'events';
  operation: string;
  input: Record<string, any>;
}

export interface AwsEndpoint {
  url: string;
  calls: AwsCall[];
  stop(): Promise<void>;
}

const jsonError = (type: string, message: string) => ({ status: 400, body: { __type: type, message } });

/**
 * A loopback endpoint speaking the JSON protocols of CodeBuild, ECS and EventBridge (x-amz-target) and
 * Lambda's REST protocol, with a few resources: project `app-build`, cluster `prod` with service `web`
 * (task definition `web:3`, containers `web` and `log-router`), function `thumbnailer`, any bus.
 * Anything else is refused as AWS would: access denied for the project `locked`, not found otherwise; the
 * project `stuck` never answers.
 */
export async function startAwsEndpoint(): Promise<AwsEndpoint> {
  const calls: AwsCall[] = [];
  let revision = 3;
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const input = text ? (JSON.parse(text) as Record<string, any>) : {};
    const target = String(req.headers['x-amz-target'] ?? '');
    const send = ({
      status = 200,
      body,
      headers = {},
    }: {
      status?: number;
      body: unknown;
      headers?: Record<string, string>;
    }) => res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', ...headers }).end(JSON.stringify(body));

    const lambda = /^\/2015-03-31\/functions\/([^/]+)\/code$/.exec(req.url ?? '');
    if (lambda) {
      const name = decodeURIComponent(lambda[1] as string);
      calls.push({ service: 'lambda', operation: 'UpdateFunctionCode', input: { FunctionName: name, ...input } });
      if (name !== 'thumbnailer')
        return send({
          status: 404,
          body: { Type: 'User', message: `Function not found: ${name}` },
          headers: { 'x-amzn-errortype': 'ResourceNotFoundException', 'content-type': 'application/json' },
        });
      return send({
        body: { FunctionName: name, PackageType: 'Image', LastUpdateStatus: 'InProgress' },
        headers: { 'content-type': 'application/json' },
      });
    }
    const [prefix, operation = ''] = target.split('.');
    if (prefix === 'CodeBuild_20161006') {
      calls.push({ service: 'codebuild', operation, input });
      // A project whose build never starts: the call gets no answer until the endpoint stops.
      if (input.projectName === 'stuck') return;
      if (input.projectName === 'locked')
        return send(jsonError('AccessDeniedException', 'not authorized to perform codebuild:StartBuild'));
      if (input.projectName !== 'app-build')
        return send(jsonError('ResourceNotFoundException', `Project cannot be found: ${input.projectName}`));
      return send({ body: { build: { id: `app-build:${calls.length}`, buildStatus: 'IN_PROGRESS' } } });
    }
    if (prefix === 'AmazonEC2ContainerServiceV20141113') {
      calls.push({ service: 'ecs', operation, input });
      const arn = (r: number) => `arn:aws:ecs:eu-west-1:123456789012:task-definition/web:${r}`;
      switch (operation) {
        case 'DescribeServices':
          return input.cluster === 'prod' && input.services?.[0] === 'web'
            ? send({ body: { services: [{ serviceName: 'web', taskDefinition: arn(revision) }], failures: [] } })
            : send({ body: { services: [], failures: [{ arn: input.services?.[0], reason: 'MISSING' }] } });
        case 'DescribeTaskDefinition':
          return send({
            body: {
              taskDefinition: {
                taskDefinitionArn: input.taskDefinition,
                family: 'web',
                revision,
                networkMode: 'awsvpc',
                cpu: '256',
                memory: '512',
                requiresCompatibilities: ['FARGATE'],
                containerDefinitions: [
                  { name: 'web', image: 'quay.io/team/web:old', essential: true },
                  {
                    name: 'log-router',
                    image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable',
                    essential: false,
                  },
                ],
              },
            },
          });
        case 'RegisterTaskDefinition':
          revision++;
          return send({
            body: {
              taskDefinition: {
                taskDefinitionArn: arn(revision),
                family: input.family,
                revision,
                containerDefinitions: input.containerDefinitions,
              },
            },
          });
        case 'UpdateService':
          return send({
            body: { service: { serviceName: input.service, taskDefinition: input.taskDefinition } },
          });
      }
    }
    if (prefix === 'AWSEvents') {
      calls.push({ service: 'events', operation, input });
      return send({
        body: {
          FailedEntryCount: 0,
          Entries: (input.Entries ?? []).map((_: unknown, i: number) => ({ EventId: `e-${i}` })),
        },
      });
    }
    return send(jsonError('UnknownOperationException', target));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
