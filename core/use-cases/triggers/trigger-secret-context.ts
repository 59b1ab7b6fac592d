/** The encryption context a trigger's webhook secret is sealed under: it opens for this trigger only. */
export function triggerSecretContext(namespace: string, name: string): string {
  return `imagetrigger:${namespace}/${name}`;
}
