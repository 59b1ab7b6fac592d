// Stands in for undici inside the CLI bundle: @kubernetes/client-node imports it for its generated API
// client, watch and proxy dispatchers, none of which the CLI uses (it sends requests with node:https
// and the options KubeConfig.applyToHTTPSOptions fills). Dropping it halves the bundle.
function unavailable(): never {
  throw new Error('undici is not part of the imagestreams CLI bundle');
}

export class Agent {
  constructor() {
    unavailable();
  }
}
export class ProxyAgent extends Agent {}
export const fetch = unavailable;
