/** An ECR private registry host: `<account>.dkr.ecr.<region>.amazonaws.com` (`.com.cn` in China). */
const ecrHost = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/** The account and region of an ECR registry host; undefined for any other registry. */
export function ecrRegistryOf(host: string): { accountId: string; region: string } | undefined {
  const match = ecrHost.exec(host);
  return match ? { accountId: match[1] as string, region: match[2] as string } : undefined;
}
