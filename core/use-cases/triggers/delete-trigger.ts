import { type SuccessStatus, successStatus } from '../../kube/success-status.ts';
import { requireNamespace } from '../../streams/names.ts';
import type { TriggerPorts } from './trigger-ports.ts';

/** DELETE imagetriggers/{name} */
export async function deleteTrigger(
  ports: Pick<TriggerPorts, 'triggers'>,
  namespace: string,
  name: string,
): Promise<SuccessStatus> {
  requireNamespace(namespace);
  await ports.triggers.deleteTrigger(namespace, name);
  return successStatus('imagetriggers', name);
}
