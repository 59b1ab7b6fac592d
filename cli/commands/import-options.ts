import type { OptionSpec } from '../command.ts';

/** The flags `tag` and `import-image` share, as oc has them: how the imported image is reached and recorded. */
export const importOptions: Record<'insecure' | 'reference-policy' | 'import-mode', OptionSpec> = {
  insecure: {
    type: 'boolean',
    description: 'The registry may be reached over HTTP or with an unverified certificate.',
  },
  'reference-policy': {
    type: 'string',
    placeholder: 'source|local',
    description: "How consumers pull: 'source' (the registry) or 'local' (through the service's repository).",
  },
  'import-mode': {
    type: 'string',
    placeholder: 'Legacy|PreserveOriginal',
    description: "Legacy imports one platform; PreserveOriginal the whole manifest list (the service's default).",
  },
};
