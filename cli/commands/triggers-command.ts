import type { TableColumn } from '../../core/kube/build-table.ts';
import { imageTriggerColumns } from '../../core/kube/table-columns.ts';
import { apiPaths } from '../api-paths.ts';
import { ApiStatusError } from '../api-status-error.ts';
import { CliError } from '../cli-error.ts';
import type { Command, CommandContext, OptionValues } from '../command.ts';
import { fetchTable, formatTable } from '../fetch-table.ts';
import { outputFormats, printObjects } from '../print-objects.ts';
import { parseStreamTagName } from '../stream-tag-name.ts';

const kindName = 'imagetrigger.imagestreams.dev';

/** Triggers of a tag: a webhook, a CodeBuild project, an ECS service, a Lambda function or an EventBridge event. */
export const triggersCommand: Command = {
  name: 'triggers',
  summary: 'Set, list, pause, resume or delete image triggers',
  usage: [
    'triggers set STREAM:TAG (--webhook=URL [--secret=S] | --codebuild=PROJECT --image-env-var=VAR |',
    '    --ecs-service=CLUSTER/SERVICE --container=NAME | --lambda=FUNCTION | --eventbridge=BUS --detail-type=T)',
    '    [--name=NAME] [--region=R] [--paused] [--fire-on-create=false]',
    'triggers list [-o json|yaml|name|wide]',
    'triggers (pause|resume|delete) NAME [NAME...]',
  ],
  description: [
    'A trigger fires when its tag points at a new image. `set` creates or replaces one (named',
    'STREAM-TAG unless --name says otherwise); `pause` keeps it without firing; `resume` fires again.',
  ].join('\n'),
  examples: [
    '# Call a signed webhook when python:3.12 changes',
    '%p triggers set python:3.12 --webhook=https://ci.example.com/hook --secret=ci-hook',
    '',
    '# Roll an ECS service to each new image of app:prod',
    '%p triggers set app:prod --ecs-service=prod/api --container=api --region=eu-west-1',
    '',
    '%p triggers list',
    '%p triggers pause python-3-12',
  ],
  options: {
    name: { type: 'string', placeholder: 'NAME', description: 'The trigger name (set).' },
    webhook: { type: 'string', placeholder: 'URL', description: 'Call this HTTPS URL (CloudEvents JSON, signed).' },
    secret: { type: 'string', placeholder: 'SECRET', description: 'The webhook signing secret (write-only).' },
    codebuild: { type: 'string', placeholder: 'PROJECT', description: 'Start a build of this CodeBuild project.' },
    'image-env-var': { type: 'string', placeholder: 'VAR', description: 'The build variable that gets the image.' },
    'ecs-service': { type: 'string', placeholder: 'CLUSTER/SERVICE', description: 'Roll this ECS service.' },
    container: { type: 'string', placeholder: 'NAME', description: 'The container of the ECS task to update.' },
    lambda: { type: 'string', placeholder: 'FUNCTION', description: 'Update this container-image Lambda function.' },
    eventbridge: { type: 'string', placeholder: 'BUS', description: 'Put an event on this EventBridge bus.' },
    'detail-type': {
      type: 'string',
      placeholder: 'TYPE',
      choices: ['Build Requested', 'Deployment Requested'],
      description: 'The detail-type of the EventBridge event.',
    },
    region: { type: 'string', placeholder: 'REGION', description: 'The AWS region of the target.' },
    paused: { type: 'boolean', description: 'Create the trigger paused (set).' },
    'fire-on-create': { type: 'boolean', description: 'Fire at once for the current image (set; default true).' },
    output: {
      type: 'string',
      short: 'o',
      placeholder: 'FORMAT',
      choices: outputFormats,
      description: 'Output format of list.',
    },
  },
  subcommands: ['set', 'list', 'pause', 'resume', 'delete'],
  async run(context, positionals, values) {
    const [verb, ...args] = positionals;
    if (verb === 'set') return setTrigger(context, args, values);
    if (verb === 'list') return listTriggers(context, values);
    if (verb === 'pause' || verb === 'resume') return pauseTriggers(context, args, verb === 'pause');
    if (verb === 'delete') return deleteTriggers(context, args);
    throw new CliError(
      'usage.arguments',
      verb
        ? `unknown triggers command "${verb}": use set, list, pause, resume or delete`
        : 'you must specify set, list, pause, resume or delete',
    );
  },
};

function target(values: OptionValues): Record<string, unknown> {
  const region = values.region ? { region: values.region as string } : {};
  const chosen: Record<string, unknown>[] = [];
  if (values.webhook)
    chosen.push({ webhook: { url: values.webhook, ...(values.secret ? { secret: values.secret } : {}) } });
  if (values.codebuild) {
    if (!values['image-env-var']) throw new CliError('usage.arguments', '--codebuild needs --image-env-var');
    chosen.push({ codeBuild: { project: values.codebuild, imageEnvVar: values['image-env-var'], ...region } });
  }
  if (values['ecs-service']) {
    const [cluster, service, extra] = (values['ecs-service'] as string).split('/');
    if (!cluster || !service || extra !== undefined)
      throw new CliError('usage.arguments', '--ecs-service must be CLUSTER/SERVICE');
    if (!values.container) throw new CliError('usage.arguments', '--ecs-service needs --container');
    chosen.push({ ecsService: { cluster, service, container: values.container, ...region } });
  }
  if (values.lambda) chosen.push({ lambdaFunction: { functionName: values.lambda, ...region } });
  if (values.eventbridge) {
    if (!values['detail-type']) throw new CliError('usage.arguments', '--eventbridge needs --detail-type');
    chosen.push({ eventBridge: { busName: values.eventbridge, detailType: values['detail-type'], ...region } });
  }
  if (chosen.length !== 1)
    throw new CliError(
      'usage.arguments',
      'name exactly one target: --webhook, --codebuild, --ecs-service, --lambda or --eventbridge',
    );
  return chosen[0] as Record<string, unknown>;
}

async function setTrigger(context: CommandContext, args: string[], values: OptionValues): Promise<void> {
  if (args.length !== 1) throw new CliError('usage.arguments', 'you must specify one STREAM:TAG');
  const client = context.client();
  const from = parseStreamTagName(args[0] as string, client.namespace, 'image stream tag');
  const name =
    (values.name as string | undefined) ?? `${from.stream}-${from.tag}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-');
  const paths = apiPaths(client.namespace);
  const body = {
    apiVersion: 'imagestreams.dev/v1',
    kind: 'ImageTrigger',
    metadata: { name },
    spec: {
      from: { kind: 'ImageStreamTag', name: `${from.stream}:${from.tag}`, namespace: from.namespace },
      paused: Boolean(values.paused),
      fireOnCreate: values['fire-on-create'] === undefined ? true : Boolean(values['fire-on-create']),
      target: target(values),
    },
  };
  try {
    await client.json('POST', paths.imageTriggers, { body });
    context.output.out(`${kindName}/${name} created\n`);
  } catch (error) {
    if (!(error instanceof ApiStatusError) || error.httpStatus !== 409) throw error;
    const current = await client.json<{ metadata: { resourceVersion: string } }>('GET', paths.imageTrigger(name));
    await client.json('PUT', paths.imageTrigger(name), {
      body: { ...body, metadata: { name, resourceVersion: current.metadata.resourceVersion } },
    });
    context.output.out(`${kindName}/${name} configured\n`);
  }
}

async function listTriggers(context: CommandContext, values: OptionValues): Promise<void> {
  const client = context.client();
  const path = apiPaths(client.namespace).imageTriggers;
  const format = values.output as string | undefined;
  if (format === undefined || format === 'wide') {
    const table = await fetchTable(client, path, imageTriggerColumns as readonly TableColumn<never>[], context.now());
    if (!table.rows.length) context.output.err(`No resources found in ${client.namespace} namespace.\n`);
    else context.output.out(formatTable(table, format === 'wide'));
    return;
  }
  const items = (await client.json<{ items?: unknown[] }>('GET', path)).items ?? [];
  context.output.out(await printObjects(items, format, kindName, false));
}

async function pauseTriggers(context: CommandContext, names: string[], paused: boolean): Promise<void> {
  if (!names.length) throw new CliError('usage.arguments', 'you must specify at least one trigger name');
  const client = context.client();
  for (const name of names) {
    const path = apiPaths(client.namespace).imageTrigger(name);
    // Read, flip, write with the read resourceVersion: a concurrent change answers 409 instead of being lost.
    const current = await client.json<{ metadata: Record<string, unknown>; spec: Record<string, unknown> }>(
      'GET',
      path,
    );
    await client.json('PUT', path, {
      body: {
        apiVersion: 'imagestreams.dev/v1',
        kind: 'ImageTrigger',
        metadata: { name, resourceVersion: current.metadata.resourceVersion },
        spec: { ...current.spec, paused },
      },
    });
    context.output.out(`${kindName}/${name} ${paused ? 'paused' : 'resumed'}\n`);
  }
}

async function deleteTriggers(context: CommandContext, names: string[]): Promise<void> {
  if (!names.length) throw new CliError('usage.arguments', 'you must specify at least one trigger name');
  const client = context.client();
  for (const name of names) {
    await client.json('DELETE', apiPaths(client.namespace).imageTrigger(name));
    context.output.out(`${kindName}/${name} deleted\n`);
  }
}
