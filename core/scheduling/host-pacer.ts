/**
 * Paces requests per registry host: a token bucket at a configured rate, slowed when the registry says
 * few requests remain (`RateLimit-Remaining`), and paused until `Retry-After` after a 429.
 */
export class HostPacer {
  private readonly rate: number;
  private readonly burst: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly buckets = new Map<string, { tokens: number; at: number; pausedUntil: number; rate: number }>();

  constructor(options: {
    ratePerSecond: number;
    burst: number;
    now: () => number;
    sleep: (ms: number) => Promise<void>;
  }) {
    this.rate = options.ratePerSecond;
    this.burst = options.burst;
    this.now = options.now;
    this.sleep = options.sleep;
  }

  /** Waits for the host's turn; false when the host is paused past `deadline` (the caller skips it this tick). */
  async acquire(host: string, deadline: number): Promise<boolean> {
    for (;;) {
      const bucket = this.bucket(host);
      const now = this.now();
      if (bucket.pausedUntil > deadline) return false;
      bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * bucket.rate);
      bucket.at = now;
      const wait = Math.max(
        bucket.pausedUntil - now,
        bucket.tokens >= 1 ? 0 : ((1 - bucket.tokens) / bucket.rate) * 1000,
      );
      if (wait <= 0) {
        bucket.tokens -= 1;
        return true;
      }
      if (now + wait > deadline) return false;
      await this.sleep(wait);
    }
  }

  /** The registry asked us to wait (429 with Retry-After). */
  pause(host: string, seconds: number): void {
    const bucket = this.bucket(host);
    bucket.pausedUntil = Math.max(bucket.pausedUntil, this.now() + seconds * 1000);
  }

  /** The registry's `RateLimit-Remaining`: below the burst, slow to spread what is left over a minute. */
  observeRemaining(host: string, remaining: number | undefined): void {
    if (remaining === undefined) return;
    const bucket = this.bucket(host);
    bucket.rate =
      remaining <= 0 ? this.rate / 100 : remaining < this.burst ? Math.min(this.rate, remaining / 60) : this.rate;
  }

  private bucket(host: string) {
    let bucket = this.buckets.get(host);
    if (!bucket) {
      bucket = { tokens: this.burst, at: this.now(), pausedUntil: 0, rate: this.rate };
      this.buckets.set(host, bucket);
    }
    return bucket;
  }
}
