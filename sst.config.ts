/// <reference path="./.sst/platform/config.d.ts" />

// Infrastructure only. The table's keys and the API's routes are declared once in code that local
// mode and the tests read too.
export default $config({
  app(input) {
    return { name: 'imagestreams', removal: input?.stage === 'production' ? 'retain' : 'remove', home: 'aws' };
  },
  async run() {
    const { tableKeys } = await import('./core/adapters/dynamodb/table.ts');
    const { apiRoutes } = await import('./functions/lib/routes.ts');

    const table = new sst.aws.Dynamo('Table', {
      fields: tableKeys.fields,
      primaryIndex: tableKeys.primaryIndex,
      globalIndexes: tableKeys.globalIndexes,
      deletionProtection: $app.stage === 'production',
    });

    // 32 random bytes in base64 (`npx sst secret set CredentialsKey "$(openssl rand -base64 32)"`): seals registry credentials.
    const credentialsKey = new sst.Secret('CredentialsKey');

    const api = new sst.aws.Function('Api', {
      handler: 'functions/api.handler',
      runtime: 'nodejs24.x',
      architecture: 'arm64',
      memory: '1024 MB',
      timeout: '29 seconds',
      link: [table],
      environment: {
        IMAGESTREAMS_TABLE: table.name,
        IMAGESTREAMS_CREDENTIALS_KEY: credentialsKey.value,
        IMAGESTREAMS_HISTORY_LIMIT: process.env.IMAGESTREAMS_HISTORY_LIMIT ?? '100',
        IMAGESTREAMS_ALLOWED_REGISTRIES: process.env.IMAGESTREAMS_ALLOWED_REGISTRIES ?? '',
        IMAGESTREAMS_INSECURE_REGISTRIES: process.env.IMAGESTREAMS_INSECURE_REGISTRIES ?? '',
        IMAGESTREAMS_IMPORT_TIMEOUT_MS: process.env.IMAGESTREAMS_IMPORT_TIMEOUT_MS ?? '20000',
      },
    });

    // Every route needs a principal: a JWT from the configured OIDC issuer, or else IAM (SigV4).
    const httpApi = new sst.aws.ApiGatewayV2('HttpApi');
    const issuer = process.env.IMAGESTREAMS_JWT_ISSUER;
    const auth = issuer
      ? {
          jwt: {
            authorizer: httpApi.addAuthorizer({
              name: 'jwt',
              jwt: { issuer, audiences: (process.env.IMAGESTREAMS_JWT_AUDIENCES ?? 'imagestreams').split(',') },
            }).id,
          },
        }
      : { iam: true };
    for (const route of apiRoutes) {
      httpApi.route(`${route.method} ${route.path}`, api.arn, { auth });
    }

    return { api: httpApi.url, table: table.name };
  },
});
