/** Deployment configuration, read once at the edge from the environment. */
export interface Config {
  tableName: string;
  /** Set in local mode and tests: where DynamoDB (dynalite) listens. */
  dynamoEndpoint: string | undefined;
  region: string;
  historyLimit: number;
  maxBodyBytes: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    tableName: required(env, 'IMAGESTREAMS_TABLE'),
    dynamoEndpoint: env['IMAGESTREAMS_DYNAMODB_ENDPOINT'] || undefined,
    region: env['AWS_REGION'] || env['AWS_DEFAULT_REGION'] || 'us-east-1',
    historyLimit: positiveInteger(env, 'IMAGESTREAMS_HISTORY_LIMIT', 100),
    maxBodyBytes: positiveInteger(env, 'IMAGESTREAMS_MAX_BODY_BYTES', 1024 * 1024),
  };
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`configuration: ${name} must be set`);
  return value;
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`configuration: ${name} must be a positive integer, not ${JSON.stringify(raw)}`);
  return value;
}
