import { createHash } from 'node:crypto';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { buildOpenApiDocuments, type OpenApiResource } from '../../core/kube/build-openapi-documents.ts';
import { imageStreamFieldDescriptions, imageStreamStatusSchema } from '../../core/kube/image-stream-openapi-docs.ts';
import { imageStreamSchema, imageStreamTagSchema } from '../../core/streams/schemas.ts';
import { imageTriggerSchema } from '../../core/triggers/trigger-schema.ts';

const allVerbs = ['get', 'list', 'create', 'update', 'patch', 'delete'] as const;
const resources: OpenApiResource[] = [
  {
    group: 'image.openshift.io',
    version: 'v1',
    kind: 'ImageStream',
    plural: 'imagestreams',
    namespaced: true,
    verbs: allVerbs,
    schema: imageStreamSchema(),
    description: 'A stream of images, tracked by tag.',
    fieldDescriptions: imageStreamFieldDescriptions,
    statusSchema: imageStreamStatusSchema,
    schemaName: 'com.github.openshift.api.image.v1.ImageStream',
  },
  {
    group: 'image.openshift.io',
    version: 'v1',
    kind: 'ImageStreamTag',
    plural: 'imagestreamtags',
    namespaced: true,
    verbs: allVerbs,
    schema: imageStreamTagSchema(),
    description: 'One tag of a stream.',
  },
  {
    group: 'imagestreams.dev',
    version: 'v1',
    kind: 'ImageTrigger',
    plural: 'imagetriggers',
    namespaced: true,
    verbs: allVerbs,
    schema: imageTriggerSchema(),
    description: 'Fires a target when a tag moves.',
  },
  {
    group: '',
    version: 'v1',
    kind: 'Secret',
    plural: 'secrets',
    namespaced: true,
    verbs: ['create', 'get', 'list', 'patch', 'update', 'delete'],
    schema: z.object({
      metadata: z.object({}),
      type: z.optional(z.string()),
      data: z.optional(z.record(z.string(), z.string())),
    }),
    description: 'Secret values.',
    strategicMergePatch: true,
  },
];

const built = buildOpenApiDocuments(resources);
const document = (key: string) => JSON.parse(built.documents.get(key)?.body ?? 'null');
const imageDoc = document('apis/image.openshift.io/v1');
const isPath = '/apis/image.openshift.io/v1/namespaces/{namespace}/imagestreams/{name}';

describe('buildOpenApiDocuments', () => {
  it('indexes every group-version with a hash kubectl caches by, and an ETag', () => {
    const index = JSON.parse(built.index.body);
    expect(Object.keys(index.paths).sort()).toEqual([
      'api/v1',
      'apis/image.openshift.io/v1',
      'apis/imagestreams.dev/v1',
    ]);
    for (const [key, entry] of Object.entries(index.paths as Record<string, { serverRelativeURL: string }>)) {
      const body = built.documents.get(key)?.body ?? '';
      const hash = createHash('sha512').update(body).digest('hex').toUpperCase();
      expect(entry.serverRelativeURL).toBe(`/openapi/v3/${key}?hash=${hash}`);
      expect(built.documents.get(key)?.etag).toBe(`"${hash}"`);
    }
    expect(built.index.etag).toMatch(/^"[0-9A-F]{128}"$/);
    expect(buildOpenApiDocuments(resources).index.body).toBe(built.index.body);
  });

  it('has the PATCH operation kubectl apply looks for: the GVK and a fieldValidation query parameter', () => {
    const patch = imageDoc.paths[isPath].patch;
    expect(patch['x-kubernetes-group-version-kind']).toEqual({
      group: 'image.openshift.io',
      kind: 'ImageStream',
      version: 'v1',
    });
    expect(patch.parameters).toContainEqual(expect.objectContaining({ name: 'fieldValidation', in: 'query' }));
    expect(
      imageDoc.paths['/apis/image.openshift.io/v1/namespaces/{namespace}/imagestreams'].post.parameters,
    ).toContainEqual(expect.objectContaining({ name: 'fieldValidation', in: 'query' }));
  });

  it('offers strategic merge only for Kubernetes kinds, so kubectl merge-patches ours', () => {
    expect(Object.keys(imageDoc.paths[isPath].patch.requestBody.content).sort()).toEqual([
      'application/json-patch+json',
      'application/merge-patch+json',
    ]);
    expect(built.documents.get('apis/image.openshift.io/v1')?.body).not.toContain('x-kubernetes-patch-strategy');
    const secretPatch = document('api/v1').paths['/api/v1/namespaces/{namespace}/secrets/{name}'].patch;
    expect(Object.keys(secretPatch.requestBody.content)).toContain('application/strategic-merge-patch+json');
    expect(secretPatch['x-kubernetes-group-version-kind']).toEqual({ group: '', kind: 'Secret', version: 'v1' });
  });

  it('lets kubectl explain imagestream.spec.tags.importPolicy find the schema and its fields', () => {
    // As kubectl explain does: the GVK of an operation, then the schema whose GVK list holds exactly that object.
    const gvk = imageDoc.paths[isPath].get['x-kubernetes-group-version-kind'];
    const [name, schema] = Object.entries(imageDoc.components.schemas as Record<string, any>).find(([, candidate]) =>
      (candidate['x-kubernetes-group-version-kind'] ?? []).some(
        (entry: unknown) => JSON.stringify(entry) === JSON.stringify(gvk),
      ),
    ) ?? [undefined, undefined];
    expect(name).toBe('com.github.openshift.api.image.v1.ImageStream');
    const importPolicy = schema.properties.spec.properties.tags.items.properties.importPolicy;
    expect(importPolicy.type).toBe('object');
    expect(importPolicy.description).toBe('How images for this tag are imported.');
    expect(Object.keys(importPolicy.properties).sort()).toEqual(['importMode', 'insecure', 'scheduled']);
    expect(importPolicy.properties.importMode.description).toContain('PreserveOriginal');
    expect(schema.properties.metadata.allOf[0].$ref).toBe(
      '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
    );
    expect(
      imageDoc.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'].properties.resourceVersion.type,
    ).toBe('string');
    const history = schema.properties.status.properties.tags.items.properties.items.items.properties;
    expect(history.actor.description).toMatch(/^Extension of imagestreams \(not in OpenShift\)/);
    expect(
      imageDoc.components.schemas['com.github.openshift.api.image.v1.ImageStreamList'][
        'x-kubernetes-group-version-kind'
      ],
    ).toEqual([{ group: 'image.openshift.io', kind: 'ImageStreamList', version: 'v1' }]);
  });

  it('validates an OpenShift library manifest, and refuses a misspelt field, as the service does', () => {
    const ajv = new Ajv({ strict: false });
    const validate = ajv.compile({
      ...imageDoc.components.schemas['com.github.openshift.api.image.v1.ImageStream'],
      components: imageDoc.components,
    });
    const manifest = {
      kind: 'ImageStream',
      apiVersion: 'image.openshift.io/v1',
      metadata: { name: 'python', annotations: { 'openshift.io/display-name': 'Python' } },
      spec: {
        tags: [
          {
            name: '3.12-ubi9',
            annotations: {
              description: 'Build and run Python 3.12 applications',
              iconClass: 'icon-python',
              tags: 'builder,python',
              version: '3.12',
            },
            from: { kind: 'DockerImage', name: 'registry.access.redhat.com/ubi9/python-312:latest' },
            generation: null,
            importPolicy: { importMode: 'Legacy' },
            referencePolicy: { type: 'Local' },
          },
          {
            name: 'latest',
            annotations: null,
            from: { kind: 'ImageStreamTag', name: '3.12-ubi9' },
            referencePolicy: { type: 'Local' },
          },
        ],
      },
    };
    expect(validate(manifest), JSON.stringify(validate.errors)).toBe(true);
    const misspelt = structuredClone(manifest) as any;
    misspelt.spec.tags[0].refrence = true;
    expect(validate(misspelt)).toBe(false);
    const wrongKind = structuredClone(manifest) as any;
    wrongKind.spec.tags[0].from.kind = 'Image';
    expect(validate(wrongKind)).toBe(false);
  });
});
