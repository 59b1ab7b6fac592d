import type { TriggerFiring } from './types.ts';

/** The CloudEvents 1.0 (structured JSON) body a webhook receives for a firing. */
export function cloudEventOf(firing: TriggerFiring): Record<string, unknown> {
  const { trigger } = firing;
  return {
    specversion: '1.0',
    id: firing.id,
    source: `/imagestreams/namespaces/${trigger.from.namespace}/imagestreams/${trigger.from.stream}`,
    type: 'dev.imagestreams.imagestreamtag.changed',
    subject: `${trigger.from.stream}:${trigger.from.tag}`,
    time: firing.firedAt,
    datacontenttype: 'application/json',
    data: {
      namespace: trigger.from.namespace,
      imageStream: trigger.from.stream,
      tag: trigger.from.tag,
      image: firing.image,
      dockerImageReference: firing.pullSpec,
      trigger: { namespace: trigger.namespace, name: trigger.name },
    },
  };
}
