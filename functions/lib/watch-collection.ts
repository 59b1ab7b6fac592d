import { WatchNotServedError } from '../../core/kube/errors.ts';
import { imageStreamColumns, imageStreamTagColumns, imageTriggerColumns } from '../../core/kube/table-columns.ts';
import type { ImageStreamTag } from '../../core/streams/types.ts';
import type { Dependencies } from './composition-root.ts';
import type { WatchBody, WatchStreams } from './watch-streams.ts';

/** The kinds that can be watched, and where a watch of each gets its lists. */
export type WatchedPlural = 'imagestreams' | 'imagestreamtags' | 'imagetriggers';

interface WatchServices extends Pick<Dependencies, 'service' | 'triggers'> {
  watches: WatchStreams | undefined;
  now: () => Date;
}

interface WatchCall {
  namespace: string;
  acceptHeader: string | undefined;
  query: Readonly<Record<string, string | undefined>>;
}

/** `GET <collection>?watch=true`: a stream of the collection's changes, where the transport can stream one. */
export async function watchCollection(
  services: WatchServices,
  call: WatchCall,
  plural: WatchedPlural,
): Promise<{ stream: WatchBody }> {
  const { watches, service, triggers } = services;
  if (!watches)
    throw new WatchNotServedError(
      'watch is not served by this deployment: API Gateway cannot stream a response. It is served in local mode ' +
        '(npm start). kubectl wait works here without it: it lists again until its condition holds.',
    );
  const common = { query: call.query, accept: call.acceptHeader, now: services.now };
  switch (plural) {
    case 'imagestreams':
      return {
        stream: await watches.open({
          ...common,
          apiVersion: 'image.openshift.io/v1',
          kind: 'ImageStream',
          list: async () => (await service.listImageStreams(call.namespace)).items,
          columns: imageStreamColumns,
        }),
      };
    case 'imagestreamtags':
      return {
        stream: await watches.open({
          ...common,
          apiVersion: 'image.openshift.io/v1',
          kind: 'ImageStreamTag',
          list: async () => (await service.listImageStreamTags(call.namespace)).items as ImageStreamTag[],
          columns: imageStreamTagColumns,
        }),
      };
    case 'imagetriggers':
      return {
        stream: await watches.open({
          ...common,
          apiVersion: 'imagestreams.dev/v1',
          kind: 'ImageTrigger',
          list: async () => (await triggers.listTriggers(call.namespace)).items,
          columns: imageTriggerColumns,
        }),
      };
  }
}
