import { subscriptions } from '../lib/subscriptions.ts';
import { InProcessBus, type EventHandler } from './in-process-bus.ts';

/** Local mode's bus: the declared subscriptions, each handler loaded from its module as Lambda would. */
export async function localBus(log: (line: string) => void): Promise<InProcessBus> {
  const routes = await Promise.all(
    subscriptions.map(async (subscription) => {
      const [file, exported = 'handler'] = subscription.handler.split('.');
      const module = (await import(new URL(`../../${file}.ts`, import.meta.url).href)) as Record<string, EventHandler>;
      const handler = module[exported];
      if (!handler) throw new Error(`subscription ${subscription.name}: ${subscription.handler} exports no handler`);
      return { subscription, handler };
    }),
  );
  return new InProcessBus(routes, log);
}
