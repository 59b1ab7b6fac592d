import { subscriptions } from '../lib/subscriptions.ts';
import type { EventHandler, InProcessBus } from './in-process-bus.ts';
import type { LocalDependencies } from './local-dependencies.ts';

/**
 * Local mode's bus with the declared subscriptions, each handler built from its module's `create`
 * with the local dependencies, as Lambda would build it from the deployment's.
 */
export async function connectSubscriptions(bus: InProcessBus, deps: LocalDependencies): Promise<void> {
  for (const subscription of subscriptions) {
    const [file] = subscription.handler.split('.');
    const module = (await import(new URL(`../../${file}.ts`, import.meta.url).href)) as {
      create?: (deps: LocalDependencies) => EventHandler;
    };
    if (!module.create) throw new Error(`subscription ${subscription.name}: ${file} exports no create(deps)`);
    bus.subscribe(subscription, module.create(deps));
  }
}
