import { NotFoundError } from '../../errors.ts';
import { requireNamespace } from '../../streams/names.ts';
import { type ImageTrigger, toImageTrigger } from '../../triggers/types.ts';
import type { TriggerPorts } from './trigger-ports.ts';

/** GET imagetriggers/{name}: the secret never shows. */
export async function getTrigger(
  ports: Pick<TriggerPorts, 'triggers'>,
  namespace: string,
  name: string,
): Promise<ImageTrigger> {
  requireNamespace(namespace);
  const record = await ports.triggers.getTrigger(namespace, name);
  if (!record) throw new NotFoundError('imagetriggers', name);
  return toImageTrigger(record);
}
