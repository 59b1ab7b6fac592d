// Stands in for openid-client inside the CLI bundle: it serves only kubeconfig's legacy `auth-provider:
// oidc`; OIDC logins go through exec credential plugins (kubelogin), which the CLI runs as kubectl does.
function unsupported(): never {
  throw new Error('the kubeconfig auth-provider "oidc" is not supported: use an exec credential plugin (kubelogin)');
}

export const discovery = unsupported;
export const refreshTokenGrant = unsupported;
export const customFetch = Symbol('customFetch');
