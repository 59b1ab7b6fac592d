import { CliError } from './cli-error.ts';

export const outputFormats = ['json', 'yaml', 'name', 'wide'] as const;

/**
 * `-o json|yaml|name` as kubectl prints them: one object as itself, several as a `List`; JSON indented
 * by four spaces, YAML with sorted keys (kubectl's YAML goes through JSON, which sorts them).
 */
export async function printObjects(
  objects: unknown[],
  format: string,
  kindName: string,
  single: boolean,
): Promise<string> {
  const document = single
    ? objects[0]
    : { apiVersion: 'v1', items: objects, kind: 'List', metadata: { resourceVersion: '' } };
  if (format === 'json') return `${JSON.stringify(document, null, 4)}\n`;
  if (format === 'yaml') {
    // Loaded only when asked for: most runs never print YAML.
    const { stringify } = await import('./yaml-codec.ts');
    return stringify(document, { sortMapEntries: true, lineWidth: 0 });
  }
  if (format === 'name')
    return objects.map((o) => `${kindName}/${(o as { metadata?: { name?: string } }).metadata?.name ?? ''}\n`).join('');
  throw new CliError('usage.output', `unable to match a printer suitable for the output format "${format}"`);
}
