import { createHmac } from 'node:crypto';
import { cloudEventOf } from '../../triggers/cloud-event.ts';
import { TargetFailure } from '../../triggers/target-failure.ts';
import type { TriggerFiring } from '../../triggers/types.ts';
import { checkWebhookUrl } from '../../triggers/webhook-url.ts';
import { Agent, type Dispatcher, request } from '../http/undici-parts.ts';
import { guardedConnector } from '../registry/outbound-guard.ts';

/** `Imagestreams-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, as receivers verify it. */
export function signature(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Posts CloudEvents to webhooks: HTTPS to public addresses only, plain HTTP and private addresses only
 * for the hosts the deployment allows (local mode, tests), under the same guard as registry traffic.
 */
export class WebhookTarget {
  private readonly dispatcher: Dispatcher;
  private readonly allowedPrivateHosts: ReadonlySet<string>;

  constructor(options: { allowedPrivateHosts: ReadonlySet<string>; timeoutMs: number }) {
    this.allowedPrivateHosts = options.allowedPrivateHosts;
    this.dispatcher = new Agent({
      connect: guardedConnector({
        timeoutMs: options.timeoutMs,
        verifyTls: true,
        localHosts: options.allowedPrivateHosts,
      }),
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
  }

  /** One attempt; `signal` ends it when its time is up, wherever it is (connecting, waiting, reading the answer). */
  async deliver(firing: TriggerFiring, url: string, secret: string | undefined, signal: AbortSignal): Promise<void> {
    const problem = checkWebhookUrl(url, this.allowedPrivateHosts);
    if (problem) throw new TargetFailure(`webhook URL ${problem}`, true);
    const body = JSON.stringify(cloudEventOf(firing));
    const headers: Record<string, string> = {
      'content-type': 'application/cloudevents+json',
      'user-agent': 'imagestreams',
    };
    if (secret)
      headers['imagestreams-signature'] = signature(secret, Math.floor(Date.parse(firing.firedAt) / 1000), body);
    let response: Dispatcher.ResponseData<unknown>;
    try {
      response = await request(url, { method: 'POST', headers, body, dispatcher: this.dispatcher, signal });
      // Read and dropped, as far as undici's own default of 128 KiB, before the connection is reused.
      await response.body.dump({ signal, limit: 128 * 1024 });
    } catch (error) {
      if (signal.aborted)
        throw new TargetFailure(`webhook ${new URL(url).host}: no answer within the attempt's time limit`, false);
      const code = (error as { code?: string }).code ?? '';
      throw new TargetFailure(`webhook ${new URL(url).host}: ${(error as Error).message}`, code === 'EBLOCKEDADDRESS');
    }
    if (response.statusCode >= 200 && response.statusCode < 300) return;
    const transient = response.statusCode >= 500 || response.statusCode === 429 || response.statusCode === 408;
    throw new TargetFailure(`webhook ${new URL(url).host} answered HTTP ${response.statusCode}`, !transient);
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}
