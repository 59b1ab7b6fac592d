import { type List, listOf } from '../../kube/list-of.ts';
import { type ListRequest, takePage, wholeList } from '../../kube/list-request.ts';
import { requireNamespace } from '../../streams/names.ts';
import { type ImageTrigger, toImageTrigger, triggerApiVersion } from '../../triggers/types.ts';
import type { TriggerPorts } from './trigger-ports.ts';

/** GET imagetriggers: a page of a namespace's triggers. */
export async function listTriggers(
  ports: Pick<TriggerPorts, 'triggers'>,
  namespace: string,
  request: ListRequest = wholeList,
): Promise<List<ImageTrigger, 'ImageTriggerList'>> {
  requireNamespace(namespace);
  const records = ports.triggers.triggersAfter(namespace, request.after, request.limit && request.limit + 1);
  const page = await takePage(records, request, (t) => ({ position: t.name, metadata: { name: t.name, namespace } }));
  return listOf(triggerApiVersion, 'ImageTriggerList', page.items.map(toImageTrigger), page.metadata);
}
