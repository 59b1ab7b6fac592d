import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBridgePublisher } from '../../core/adapters/eventbridge/eventbridge-publisher.ts';
import { type BusEvent, parseBusEvent, tagChangedType } from '../../core/events/bus-events.ts';
import { type EventBridgeEndpoint, startEventBridgeEndpoint } from '../support/eventbridge-endpoint.ts';

let endpoint: EventBridgeEndpoint;
let client: EventBridgeClient;

beforeAll(async () => {
  endpoint = await startEventBridgeEndpoint();
  client = new EventBridgeClient({
    endpoint: endpoint.url,
    region: 'local',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client.destroy();
  await endpoint.stop();
});

const event = (i: number): BusEvent =>
  parseBusEvent({
    source: 'imagestreams',
    detailType: tagChangedType,
    detail: {
      namespace: 'demo',
      imageStream: 'app',
      tag: `t${i}`,
      image: `sha256:${i}`,
      dockerImageReference: `q/a@sha256:${i}`,
      generation: 1,
      previous: null,
      cause: 'tag',
      actor: 'user:a',
      changedAt: '2026-01-01T00:00:00Z',
    },
  });

describe('EventBridgePublisher', () => {
  it('sends at most ten entries a call, to the configured bus', async () => {
    const failed = await new EventBridgePublisher(client, 'the-bus', { retryDelayMs: 1 }).publish(
      Array.from({ length: 25 }, (_, i) => event(i)),
    );
    expect(failed).toEqual([]);
    expect(endpoint.calls).toEqual([10, 10, 5]);
    expect(
      endpoint.events.every(
        (e) => e.EventBusName === 'the-bus' && e.Source === 'imagestreams' && e.DetailType === tagChangedType,
      ),
    ).toBe(true);
    expect(endpoint.details().map((d) => d.tag)).toEqual(Array.from({ length: 25 }, (_, i) => `t${i}`));
  });

  it('retries only the entries that failed, and answers those that never went through', async () => {
    endpoint.calls.length = 0;
    endpoint.events.length = 0;
    endpoint.failEntries(3);
    expect(
      await new EventBridgePublisher(client, 'the-bus', { retryDelayMs: 1 }).publish([
        event(1),
        event(2),
        event(3),
        event(4),
      ]),
    ).toEqual([]);
    expect(endpoint.calls).toEqual([4, 3]);
    expect(
      endpoint
        .details()
        .map((d) => d.tag)
        .sort(),
    ).toEqual(['t1', 't2', 't3', 't4']);

    endpoint.failCalls(10);
    const lost = await new EventBridgePublisher(client, 'the-bus', { attempts: 2, retryDelayMs: 1 }).publish([
      event(5),
    ]);
    expect(lost.map((e) => e.detail)).toEqual([event(5).detail]);
    endpoint.failCalls(0);
  });
});
