import type { Principal } from '../../access/principal.ts';
import { type FieldCause, InvalidError } from '../../errors.ts';
import { parseOrInvalid } from '../../kube/parse-or-invalid.ts';
import {
  checkBodyIdentity,
  requireNamespace,
  splitStreamTag,
  validateNamespace,
  validateObjectName,
  validateStreamName,
  validateTagName,
} from '../../streams/names.ts';
import { imageTriggerSchema } from '../../triggers/trigger-schema.ts';
import type { TargetSpec } from '../../triggers/types.ts';
import type { TriggerPorts } from './trigger-ports.ts';

/** A trigger as a POST or PUT asks for it, checked, with the access it needs checked too. */
export interface ValidTrigger {
  name: string;
  resourceVersion: string | undefined;
  from: { namespace: string; stream: string; tag: string };
  paused: boolean;
  fireOnCreate: boolean;
  target: TargetSpec;
  /** The webhook secret sent in the clear (write-only: never stored so). */
  secret: string | undefined;
}

export async function validateTrigger(
  ports: Pick<TriggerPorts, 'checkWebhookUrl' | 'authorize'>,
  principal: Principal,
  namespace: string,
  urlName: string | undefined,
  body: unknown,
): Promise<ValidTrigger> {
  requireNamespace(namespace);
  const input = parseOrInvalid(imageTriggerSchema, body, 'ImageTrigger', urlName ?? '');
  checkBodyIdentity(input.metadata, namespace, urlName);
  const name = input.metadata.name ?? urlName ?? '';
  const causes: FieldCause[] = validateObjectName(name);
  const sourceNamespace = input.spec.from.namespace || namespace;
  causes.push(...validateNamespace(sourceNamespace, 'spec.from.namespace'));
  const source = splitStreamTag(input.spec.from.name);
  if (!source) causes.push({ reason: 'FieldValueInvalid', field: 'spec.from.name', message: 'must be <stream>:<tag>' });
  else
    causes.push(
      ...validateStreamName(source.stream, sourceNamespace, 'spec.from.name'),
      ...validateTagName(source.tag, 'spec.from.name'),
    );
  const rawTarget = input.spec.target;
  let secret: string | undefined;
  let target: TargetSpec = rawTarget as TargetSpec;
  if ('webhook' in rawTarget) {
    const problem = ports.checkWebhookUrl(rawTarget.webhook.url);
    if (problem) causes.push({ reason: 'FieldValueInvalid', field: 'spec.target.webhook.url', message: problem });
    secret = rawTarget.webhook.secret;
    if (secret !== undefined && secret.length < 16)
      causes.push({
        reason: 'FieldValueInvalid',
        field: 'spec.target.webhook.secret',
        message: 'must be at least 16 characters',
      });
    target = { webhook: { url: rawTarget.webhook.url } };
  }
  if (causes.length) throw new InvalidError('ImageTrigger', name, causes);
  if (sourceNamespace !== namespace)
    await ports.authorize(principal, { verb: 'get', resource: 'imagestreams', namespace: sourceNamespace });
  // The service's role can reach any build project, service or function of the account: only deployment admins name them.
  if (!('webhook' in target)) await ports.authorize(principal, { verb: 'create', resource: 'awstargets', namespace });
  const { stream, tag } = source as { stream: string; tag: string };
  return {
    name,
    resourceVersion: input.metadata.resourceVersion,
    from: { namespace: sourceNamespace, stream, tag },
    paused: input.spec.paused ?? false,
    fireOnCreate: input.spec.fireOnCreate ?? true,
    target,
    secret,
  };
}

/** Webhooks are always signed: a webhook target needs a secret, sent now or stored before. */
export function requireSigned(name: string, target: TargetSpec, secret: string | undefined): void {
  if ('webhook' in target && secret === undefined) {
    throw new InvalidError('ImageTrigger', name, [
      {
        reason: 'FieldValueRequired',
        field: 'spec.target.webhook.secret',
        message: 'Required value: webhooks are signed',
      },
    ]);
  }
}
