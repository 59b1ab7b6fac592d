import { chmod, writeFile } from 'node:fs/promises';

export const localContext = 'imagestreams-local';

export interface KubeconfigOptions {
  /** https URL of the API. */
  server: string;
  /** PEM of the CA that signed the server's certificate. */
  ca: string;
  /** Bearer token of the user; without one the user entry is left for `kubectl config set-credentials`. */
  token?: string | undefined;
  namespace: string;
}

/**
 * Writes a kubeconfig (mode 0600: it holds a token) with one cluster, user and context, all named
 * `imagestreams-local`, and that context current. JSON strings are valid YAML scalars, so every value
 * is written quoted by JSON.stringify and nothing in it can break the document.
 */
export async function writeKubeconfig(path: string, options: KubeconfigOptions): Promise<void> {
  const q = JSON.stringify;
  const name = q(localContext);
  const lines = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${name}`,
    '  cluster:',
    `    server: ${q(options.server)}`,
    `    certificate-authority-data: ${q(Buffer.from(options.ca).toString('base64'))}`,
    'users:',
    `- name: ${name}`,
    options.token === undefined ? '  user: {}' : `  user:\n    token: ${q(options.token)}`,
    'contexts:',
    `- name: ${name}`,
    '  context:',
    `    cluster: ${name}`,
    `    user: ${name}`,
    `    namespace: ${q(options.namespace)}`,
    `current-context: ${name}`,
    'preferences: {}',
  ];
  await writeFile(path, `${lines.join('\n')}\n`, { mode: 0o600 });
  await chmod(path, 0o600);
}
