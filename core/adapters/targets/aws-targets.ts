import { CodeBuildClient, StartBuildCommand } from '@aws-sdk/client-codebuild';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { LambdaClient, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { TargetFailure } from '../../triggers/target-failure.ts';
import type { TargetSpec, TriggerFiring } from '../../triggers/types.ts';
import { endpointOverride } from '../aws-endpoint.ts';

type Spec<K extends string> = Extract<TargetSpec, Record<K, unknown>> extends Record<K, infer V> ? V : never;

const permanentErrors = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnauthorizedOperation',
  'ResourceNotFoundException',
  'ServiceNotFoundException',
  'ServiceNotActiveException',
  'ClusterNotFoundException',
  'InvalidParameterException',
  'InvalidParameterValueException',
  'ValidationException',
  'InvalidInputException',
  'AccountLimitExceededException',
]);

/** Build and deploy targets through the AWS SDK: CodeBuild, ECS services, Lambda container functions, EventBridge buses. */
export class AwsTargets {
  private readonly options: { region: string; endpoint?: string | undefined };
  private readonly clients = new Map<string, unknown>();

  constructor(options: { region: string; endpoint?: string | undefined }) {
    this.options = options;
  }

  async codeBuild(firing: TriggerFiring, spec: Spec<'codeBuild'>, signal: AbortSignal): Promise<void> {
    await this.call(`CodeBuild project ${spec.project}`, signal, (abortSignal) =>
      this.client(CodeBuildClient, spec.region).send(
        new StartBuildCommand({
          projectName: spec.project,
          environmentVariablesOverride: [{ name: spec.imageEnvVar, value: firing.pullSpec, type: 'PLAINTEXT' }],
        }),
        { abortSignal },
      ),
    );
  }

  /** Rolls the service to a new revision of its task definition whose container runs the image by digest. */
  async ecsService(firing: TriggerFiring, spec: Spec<'ecsService'>, signal: AbortSignal): Promise<void> {
    const ecs = this.client(ECSClient, spec.region);
    const where = `ECS service ${spec.cluster}/${spec.service}`;
    const { services = [] } = await this.call(where, signal, (abortSignal) =>
      ecs.send(new DescribeServicesCommand({ cluster: spec.cluster, services: [spec.service] }), { abortSignal }),
    );
    const current = services[0]?.taskDefinition;
    if (!current) throw new TargetFailure(`${where}: service not found`, true);
    const { taskDefinition } = await this.call(where, signal, (abortSignal) =>
      ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: current }), { abortSignal }),
    );
    if (!taskDefinition?.family || !taskDefinition.containerDefinitions)
      throw new TargetFailure(`${where}: task definition ${current} not found`, true);
    if (!taskDefinition.containerDefinitions.some((c) => c.name === spec.container))
      throw new TargetFailure(`${where}: no container named ${spec.container}`, true);
    const registered: RegisterTaskDefinitionCommandInput = {
      family: taskDefinition.family,
      containerDefinitions: taskDefinition.containerDefinitions.map((c) =>
        c.name === spec.container ? { ...c, image: firing.pullSpec } : c,
      ),
      taskRoleArn: taskDefinition.taskRoleArn,
      executionRoleArn: taskDefinition.executionRoleArn,
      networkMode: taskDefinition.networkMode,
      volumes: taskDefinition.volumes,
      placementConstraints: taskDefinition.placementConstraints,
      requiresCompatibilities: taskDefinition.requiresCompatibilities,
      cpu: taskDefinition.cpu,
      memory: taskDefinition.memory,
      pidMode: taskDefinition.pidMode,
      ipcMode: taskDefinition.ipcMode,
      proxyConfiguration: taskDefinition.proxyConfiguration,
      ephemeralStorage: taskDefinition.ephemeralStorage,
      runtimePlatform: taskDefinition.runtimePlatform,
    };
    const { taskDefinition: next } = await this.call(where, signal, (abortSignal) =>
      ecs.send(new RegisterTaskDefinitionCommand(registered), { abortSignal }),
    );
    await this.call(where, signal, (abortSignal) =>
      ecs.send(
        new UpdateServiceCommand({
          cluster: spec.cluster,
          service: spec.service,
          taskDefinition: next?.taskDefinitionArn,
        }),
        { abortSignal },
      ),
    );
  }

  async lambdaFunction(firing: TriggerFiring, spec: Spec<'lambdaFunction'>, signal: AbortSignal): Promise<void> {
    await this.call(`Lambda function ${spec.functionName}`, signal, (abortSignal) =>
      this.client(LambdaClient, spec.region).send(
        new UpdateFunctionCodeCommand({ FunctionName: spec.functionName, ImageUri: firing.pullSpec }),
        { abortSignal },
      ),
    );
  }

  async eventBridge(firing: TriggerFiring, spec: Spec<'eventBridge'>, signal: AbortSignal): Promise<void> {
    const detail = {
      namespace: firing.trigger.from.namespace,
      imageStream: firing.trigger.from.stream,
      tag: firing.trigger.from.tag,
      image: firing.image,
      dockerImageReference: firing.pullSpec,
      trigger: { namespace: firing.trigger.namespace, name: firing.trigger.name },
      id: firing.id,
    };
    const result = await this.call(`EventBridge bus ${spec.busName}`, signal, (abortSignal) =>
      this.client(EventBridgeClient, spec.region).send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: spec.busName,
              Source: 'imagestreams',
              DetailType: spec.detailType,
              Detail: JSON.stringify(detail),
            },
          ],
        }),
        { abortSignal },
      ),
    );
    const entry = result.Entries?.[0];
    if (result.FailedEntryCount || entry?.ErrorCode)
      throw new TargetFailure(
        `EventBridge bus ${spec.busName}: ${entry?.ErrorCode ?? 'entry refused'}`,
        entry?.ErrorCode === 'AccessDeniedException',
      );
  }

  private client<T>(Client: new (config: Record<string, unknown>) => T, region: string | undefined): T {
    const key = `${Client.name}|${region ?? this.options.region}`;
    let client = this.clients.get(key) as T | undefined;
    if (!client) {
      client = new Client({
        region: region ?? this.options.region,
        ...endpointOverride(this.options.endpoint),
      });
      this.clients.set(key, client);
    }
    return client;
  }

  /** One API call of an attempt, cut off with the rest of the attempt when `signal` fires (its time is up). */
  private async call<T>(
    where: string,
    signal: AbortSignal,
    send: (abortSignal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    try {
      return await send(signal);
    } catch (error) {
      if (signal.aborted) throw new TargetFailure(`${where}: no answer within the attempt's time limit`, false);
      const name = (error as { name?: string }).name ?? '';
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;
      throw new TargetFailure(
        `${where}: ${name || 'error'}: ${(error as Error).message}`,
        permanentErrors.has(name) || (status >= 400 && status < 500 && status !== 429),
      );
    }
  }
}
