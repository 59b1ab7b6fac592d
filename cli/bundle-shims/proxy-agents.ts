// Stands in for socks-proxy-agent, socks and hpagent inside the CLI bundle. @kubernetes/client-node
// imports them at load for a cluster's `proxy-url`, which most kubeconfigs never set; evaluating them
// (and `debug`, which they pull in) cost every run about 10 ms. Bundled behind `require`, each is
// evaluated only when a proxied cluster first needs an agent. Plain functions, because client-node
// calls them with `new` and a function that returns an object gives that object to `new`.

type Constructor = new (...args: unknown[]) => object;

export function SocksProxyAgent(...args: unknown[]): object {
  const real = require('socks-proxy-agent').SocksProxyAgent as Constructor;
  return new real(...args);
}

export function HttpsProxyAgent(...args: unknown[]): object {
  const real = require('hpagent').HttpsProxyAgent as Constructor;
  return new real(...args);
}

export function HttpProxyAgent(...args: unknown[]): object {
  const real = require('hpagent').HttpProxyAgent as Constructor;
  return new real(...args);
}

/** Used only by client-node's undici connector, which the bundle never reaches (see undici.ts). */
export const SocksClient = {
  createConnection: (...args: unknown[]) => require('socks').SocksClient.createConnection(...args),
};
