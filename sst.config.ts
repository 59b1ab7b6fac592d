/// <reference path="./.sst/platform/config.d.ts" />

// Infrastructure only. The table's keys and the API's routes are declared once in code that local
// mode and the tests read too.
export default $config({
  app(input) {
    return { name: 'imagestreams', removal: input?.stage === 'production' ? 'retain' : 'remove', home: 'aws' };
  },
  async run() {
    const { tableKeys } = await import('./core/adapters/dynamodb/table-keys.ts');
    const { apiRoutes } = await import('./functions/lib/routes.ts');
    const { subscriptions } = await import('./functions/lib/subscriptions.ts');

    const table = new sst.aws.Dynamo('Table', {
      fields: tableKeys.fields,
      primaryIndex: tableKeys.primaryIndex,
      globalIndexes: tableKeys.globalIndexes,
      deletionProtection: $app.stage === 'production',
    });

    const bus = new sst.aws.Bus('Bus');

    // Registry credentials and webhook secrets are sealed with data keys of this KMS key (envelope encryption).
    const credentialsKey = new aws.kms.Key('CredentialsKey', {
      description: 'imagestreams: seals registry credentials and webhook secrets',
      enableKeyRotation: true,
    });

    // Every setting is declared once in functions/lib/config.ts: the deployer's own are validated here and
    // passed through as set (unset ones take their defaults in the function); the ones naming resources
    // created here are required by the type, so a new setting cannot be left out.
    const { deploymentEnvironment, firingTimeoutSeconds, loadConfig } = await import('./functions/lib/config.ts');
    // The ECR actions of a registry token, named once: the session policies grant them, the token role allows them.
    const { ecrPullActions, ecrPushActions, ecrPullThroughActions } = await import(
      './core/adapters/ecr/ecr-session-policy.ts'
    );
    const passed = deploymentEnvironment(process.env);
    // Every stream has a repository in this account's ECR registry, under one prefix (the integrated registry).
    const repositoryPrefix = 'imagestreams';
    const account = aws.getCallerIdentityOutput({}).accountId;
    const region = aws.getRegionOutput({}).name;
    const partition = aws.getPartitionOutput({}).partition;
    // The role whose STS sessions hand out registry tokens; named ahead so that the functions' settings can
    // name it before it exists (it trusts the API function's role, created below).
    const tokenRoleName = `${$app.name}-${$app.stage}-registry-tokens`.slice(0, 64);
    const tokenRoleArn = $interpolate`arn:${partition}:iam::${account}:role/${tokenRoleName}`;
    const repositoryArns = $interpolate`arn:${partition}:ecr:${region}:${account}:repository/${repositoryPrefix}/*`;
    // Where ECR's pull-through cache rules keep what Local tags pull (core/references/integrated-registry.ts).
    const cacheRepositoryArns = $interpolate`arn:${partition}:ecr:${region}:${account}:repository/${repositoryPrefix}-cache/*`;
    const fromResources: Record<import('./functions/lib/config.ts').InfrastructureVariable, $util.Input<string>> = {
      IMAGESTREAMS_TABLE: table.name,
      IMAGESTREAMS_REGISTRY: $interpolate`${account}.dkr.ecr.${region}.amazonaws.com/${repositoryPrefix}`,
      IMAGESTREAMS_REGISTRY_TOKEN_ROLE_ARN: tokenRoleArn,
      IMAGESTREAMS_EVENT_BUS: bus.name,
      IMAGESTREAMS_KMS_KEY_ID: credentialsKey.arn,
    };
    const environment = { ...passed, ...fromResources };
    const deployed = loadConfig({ ...passed, IMAGESTREAMS_TABLE: 'validated-at-deploy' });
    const shards = deployed.schedulerShards;
    // The functions firing triggers from events run as long as a firing's claim lasts (functions/lib/config.ts).
    const firingTimeout = `${firingTimeoutSeconds(deployed)} seconds` as const;
    // IAM beyond `link` (the table, the bus), given to each function for what its code does (see each handler's
    // composition: functions/lib/*-dependencies.ts).
    // Every function opens sealed secrets: registry credentials (imports), receiver tokens, webhook secrets (firing).
    const openSecrets = { actions: ['kms:Decrypt'], resources: [credentialsKey.arn] };
    // Firing triggers acts on the user's build and deploy targets, wherever their triggers name them: only the
    // function that fires (the trigger function) holds these; the API and the schedule's reconcile announce
    // triggers on the bus and fire nothing.
    const targetPermissions = [
      {
        actions: [
          'codebuild:StartBuild',
          'ecs:DescribeServices',
          'ecs:DescribeTaskDefinition',
          'ecs:RegisterTaskDefinition',
          'ecs:UpdateService',
          'lambda:UpdateFunctionCode',
          'events:PutEvents',
        ],
        resources: ['*'],
      },
      {
        actions: ['iam:PassRole'],
        resources: ['*'],
        conditions: [{ test: 'StringEquals', variable: 'iam:PassedToService', values: ['ecs-tasks.amazonaws.com'] }],
      },
    ];
    // Importing (the API, the schedule, ECR pushes): the integrated registry's images and the pull-through cache.
    const importPermissions = [
      // referencePolicy: Local tags are pulled through ECR pull-through cache rules, one per upstream, which the
      // service finds or creates on first use, and points at the secret IMAGESTREAMS_PULL_THROUGH_CREDENTIALS
      // names (registry-level actions: no narrower resource exists). The secret itself is read by ECR's
      // service-linked role (AWSServiceRoleForECRPullThroughCache), never by the service: no Secrets Manager
      // permission here.
      {
        actions: [
          'ecr:DescribePullThroughCacheRules',
          'ecr:CreatePullThroughCacheRule',
          'ecr:UpdatePullThroughCacheRule',
        ],
        resources: ['*'],
      },
      // The first rule of an account has ECR create that service-linked role, which the caller must be allowed.
      {
        actions: ['iam:CreateServiceLinkedRole'],
        resources: ['*'],
        conditions: [
          { test: 'StringEquals', variable: 'iam:AWSServiceName', values: ['pullthroughcache.ecr.amazonaws.com'] },
        ],
      },
      // The integrated registry: the service's own ECR token reads what is pushed to the streams' repositories
      // (it never writes there: Local tags are served by pull-through cache in AWS).
      { actions: ['ecr:GetAuthorizationToken'], resources: ['*'] },
      { actions: ecrPullActions, resources: [repositoryArns] },
    ];
    const apiPermissions = [
      // Only the API seals secrets (a Secret, a receiver's token, a trigger's webhook secret is written through it).
      { actions: ['kms:GenerateDataKey'], resources: [credentialsKey.arn] },
      // A deleted stream's repository goes with it when it holds no image (never with force).
      { actions: ['ecr:ListImages', 'ecr:DeleteRepository'], resources: [repositoryArns] },
      // Only the API issues registry tokens: it creates a push token's repositories and assumes the token role.
      { actions: ['ecr:CreateRepository'], resources: [repositoryArns] },
      { actions: ['sts:AssumeRole'], resources: [tokenRoleArn] },
    ];
    const needed = { imports: importPermissions, targets: targetPermissions };
    // Bundling is declared once, in functions/lib/bundle-options.ts, which bench/ builds from too.
    const { lambdaBundling } = await import('./functions/lib/bundle-options.ts');
    const functionDefaults = {
      runtime: 'nodejs24.x' as const,
      nodejs: lambdaBundling,
      architecture: 'arm64' as const,
      link: [table, bus],
      environment,
      permissions: [openSecrets],
    };

    const api = new sst.aws.Function('Api', {
      ...functionDefaults,
      permissions: [openSecrets, ...importPermissions, ...apiPermissions],
      handler: 'functions/api.handler',
      memory: '1024 MB',
      timeout: '29 seconds',
    });

    // Registry tokens: sessions of this role, each narrowed by a session policy to the streams and access a
    // caller may have; the role itself reaches no further than the streams' repositories.
    new aws.iam.Role('RegistryTokenRole', {
      name: tokenRoleName,
      assumeRolePolicy: aws.iam.getPolicyDocumentOutput({
        statements: [
          {
            actions: ['sts:AssumeRole'],
            principals: [{ type: 'AWS', identifiers: [api.nodes.role.arn] }],
          },
        ],
      }).json,
      inlinePolicies: [
        {
          name: 'registry',
          policy: aws.iam.getPolicyDocumentOutput({
            statements: [
              { actions: ['ecr:GetAuthorizationToken'], resources: ['*'] },
              // The most a session policy (core/adapters/ecr/ecr-session-policy.ts) grants: push, which includes pull.
              { actions: ecrPushActions, resources: [repositoryArns] },
              // Pull tokens also pull what their streams' Local tags record in the cache; the first pull of
              // an image makes ECR fetch it from upstream and create its repository on the puller's permission.
              // Each session policy narrows this to exactly the cached repositories of its streams.
              { actions: ecrPullThroughActions, resources: [cacheRepositoryArns] },
            ],
          }).json,
        },
      ],
    });

    // The scheduled re-import: every minute, one invocation per shard, each with its share of the slots.
    for (let shard = 0; shard < shards; shard++) {
      new sst.aws.Cron(`ScheduledImport${shard}`, {
        schedule: 'rate(1 minute)',
        event: { shard, shards },
        function: {
          ...functionDefaults,
          // Re-imports; the reconcile announces due triggers on the bus (the trigger function fires them).
          permissions: [openSecrets, ...importPermissions],
          handler: 'functions/scheduled-import.handler',
          memory: '1024 MB',
          timeout: '60 seconds',
        },
      });
    }

    // The bus subscriptions, declared once in functions/lib/subscriptions.ts: the service's own events on its
    // bus; AWS services' events (ECR pushes) on the account's default bus, the only one they reach.
    for (const subscription of subscriptions) {
      const permissions = [openSecrets, ...subscription.needs.flatMap((need) => needed[need])];
      if (subscription.bus === 'default') {
        const rule = new aws.cloudwatch.EventRule(`${subscription.name}Rule`, {
          eventBusName: 'default',
          eventPattern: JSON.stringify(subscription.pattern),
        });
        // An event the function still fails on after Lambda's retries (a registry or ECR that stayed
        // unavailable) is kept in a queue to replay, not dropped.
        const failures = new aws.sqs.Queue(`${subscription.name}Failures`, { messageRetentionSeconds: 1_209_600 });
        const fn = new sst.aws.Function(subscription.name, {
          ...functionDefaults,
          permissions: [...permissions, { actions: ['sqs:SendMessage'], resources: [failures.arn] }],
          handler: subscription.handler,
          timeout: '60 seconds',
        });
        new aws.lambda.FunctionEventInvokeConfig(`${subscription.name}OnFailure`, {
          functionName: fn.name,
          maximumRetryAttempts: 2,
          destinationConfig: { onFailure: { destination: failures.arn } },
        });
        new aws.lambda.Permission(`${subscription.name}Permission`, {
          action: 'lambda:InvokeFunction',
          function: fn.name,
          principal: 'events.amazonaws.com',
          sourceArn: rule.arn,
        });
        new aws.cloudwatch.EventTarget(`${subscription.name}Target`, { rule: rule.name, arn: fn.arn });
        continue;
      }
      bus.subscribe(
        subscription.name,
        {
          ...functionDefaults,
          permissions,
          handler: subscription.handler,
          ...(subscription.needs.includes('targets') ? { timeout: firingTimeout } : {}),
        },
        {
          pattern: {
            source: subscription.pattern.source,
            detailType: subscription.pattern['detail-type'],
            ...(subscription.pattern.detail ? { detail: subscription.pattern.detail } : {}),
          },
        },
      );
    }

    // Every route but /healthz needs a principal: a JWT from the configured OIDC issuer, or else IAM (SigV4).
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
      if (route.localOnly) continue;
      if (route.access === 'anonymous') httpApi.route(`${route.method} ${route.path}`, api.arn);
      else httpApi.route(`${route.method} ${route.path}`, api.arn, { auth });
    }
    // Anything else reaches the function too (authenticated), so that an unknown path or method gets a
    // Kubernetes Status (404, or 405 with Allow) rather than API Gateway's own answer.
    httpApi.route('$default', api.arn, { auth });

    return { api: httpApi.url, table: table.name, bus: bus.name };
  },
});
