/**
 * The bus subscriptions of the service, declared once: sst.config.ts creates an EventBridge rule for
 * each, and local mode's in-process bus routes events to the same handlers. Patterns use EventBridge's
 * syntax (the local bus matches exact values and nested objects, the subset these patterns use).
 */
export interface Subscription {
  name: string;
  pattern: { source: string[]; 'detail-type': string[]; detail?: Record<string, unknown> };
  /** A module under functions/ exporting `handler` (for Lambda) and `create(deps)` (for local mode), as SST names handlers. */
  handler: string;
  /** `default`: the account's default bus, where AWS services publish (ECR pushes); else the service's own bus. */
  bus?: 'default';
  /**
   * What the handler's function does beyond the table, the bus and opening sealed secrets, for which sst.config.ts
   * grants it IAM permissions: `imports` (ECR reads, pull-through cache), `targets` (fires triggers: CodeBuild,
   * ECS, Lambda, other buses).
   */
  needs: ('imports' | 'targets')[];
}

export const subscriptions: Subscription[] = [
  {
    name: 'TagChanged',
    // The trigger function: fires a changed tag's triggers, and a trigger the API created or replaced.
    pattern: { source: ['imagestreams'], 'detail-type': ['ImageStreamTag Changed', 'ImageTrigger Changed'] },
    handler: 'functions/tag-changed.handler',
    needs: ['targets'],
  },
  {
    name: 'EcrPush',
    pattern: {
      source: ['aws.ecr'],
      'detail-type': ['ECR Image Action'],
      detail: { 'action-type': ['PUSH'], result: ['SUCCESS'] },
    },
    handler: 'functions/ecr-push.handler',
    bus: 'default',
    needs: ['imports'],
  },
];
