import type { TriggerTargets } from '../../ports.ts';
import { TargetFailure } from '../../triggers/target-failure.ts';
import type { TriggerFiring } from '../../triggers/types.ts';
import type { AwsTargets } from './aws-targets.ts';
import type { WebhookTarget } from './webhook-target.ts';

/** Delivers to whichever target a trigger names, retrying transient failures a bounded number of times with backoff. */
export class TargetDispatcher implements TriggerTargets {
  private readonly webhook: () => Promise<WebhookTarget>;
  private readonly aws: () => Promise<AwsTargets>;
  private readonly attempts: number;
  private readonly retryDelayMs: number;
  private readonly attemptTimeoutMs: number;

  /** The targets come as loaders: most invocations fire nothing, and their clients stay unloaded. */
  constructor(options: {
    webhook: () => Promise<WebhookTarget>;
    aws: () => Promise<AwsTargets>;
    attempts: number;
    retryDelayMs: number;
    /** How long one attempt may take, whatever the target: a webhook's connection, answer and body, an AWS target's calls. */
    attemptTimeoutMs: number;
  }) {
    this.webhook = options.webhook;
    this.aws = options.aws;
    this.attempts = options.attempts;
    this.retryDelayMs = options.retryDelayMs;
    this.attemptTimeoutMs = options.attemptTimeoutMs;
  }

  async deliver(firing: TriggerFiring, secret: string | undefined): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.once(firing, secret);
        return attempt;
      } catch (error) {
        const failure = error instanceof TargetFailure ? error : new TargetFailure((error as Error).message, false);
        failure.attempts = attempt;
        if (failure.permanent || attempt >= this.attempts) throw failure;
        await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs * 2 ** (attempt - 1)));
      }
    }
  }

  private async once(firing: TriggerFiring, secret: string | undefined): Promise<void> {
    const target = firing.trigger.target;
    const signal = AbortSignal.timeout(this.attemptTimeoutMs);
    if ('webhook' in target) return (await this.webhook()).deliver(firing, target.webhook.url, secret, signal);
    const aws = await this.aws();
    if ('codeBuild' in target) return aws.codeBuild(firing, target.codeBuild, signal);
    if ('ecsService' in target) return aws.ecsService(firing, target.ecsService, signal);
    if ('lambdaFunction' in target) return aws.lambdaFunction(firing, target.lambdaFunction, signal);
    return aws.eventBridge(firing, target.eventBridge, signal);
  }
}
