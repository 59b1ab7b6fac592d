import { Logger } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions } from '@aws-lambda-powertools/logger/types';
import type { Config } from './config.ts';

/** Powertools' own `setConsole`, called on the logger when its first line is printed. */
const buildConsole = (Logger.prototype as unknown as { setConsole(this: Logger): void }).setConsole;

/**
 * Powertools' Logger, whose console is built by the first line printed rather than by the constructor:
 * building it creates `process.stdout` and `process.stderr` (a pipe or TTY stream each, a few ms of a
 * cold start), which a request that logs nothing never needs. The console is Powertools' own, so what is
 * printed and where is unchanged.
 */
// Powertools declares setConsole private, so the subclass is typed as the Logger it behaves as.
const DeferredConsoleLogger = class extends (Logger as unknown as new (options: ConstructorOptions) => object) {
  setConsole(): void {
    Object.defineProperty(this, 'console', {
      configurable: true,
      enumerable: true,
      get: () => {
        delete (this as { console?: unknown }).console;
        buildConsole.call(this as unknown as Logger);
        return (this as { console?: unknown }).console;
      },
    });
  }
} as unknown as typeof Logger;

/** The service's one logger (Powertools' JSON lines), for the Lambda handlers and local mode alike. */
export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return new DeferredConsoleLogger({ serviceName: 'imagestreams', logLevel: config.logLevel });
}
