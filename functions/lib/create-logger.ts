import { Logger } from '@aws-lambda-powertools/logger';
import type { Config } from './config.ts';

/** The service's one logger (Powertools' JSON lines), for the Lambda handlers and local mode alike. */
export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return new Logger({ serviceName: 'imagestreams', logLevel: config.logLevel });
}
