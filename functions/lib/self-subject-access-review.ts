import * as z from 'zod/mini';
import type { AccessPolicy } from '../../core/access/authorize.ts';
import type { Principal } from '../../core/access/principal.ts';
import { ForbiddenError, InvalidError } from '../../core/errors.ts';
import { parseOrInvalid } from '../../core/kube/parse-or-invalid.ts';
import { lazy } from '../../core/lazy.ts';
import { accessVerbs, findResource, type KubeVerb } from './resource-table.ts';

const apiVersion = 'authorization.k8s.io/v1';
const text = () => z.optional(z.string());

/** authorization.k8s.io/v1 SelfSubjectAccessReview, as `kubectl auth can-i` sends it. */
export const selfSubjectAccessReviewSchema = lazy(() =>
  z.object({
    apiVersion: z.optional(z.literal(apiVersion, { error: `must be "${apiVersion}"` })),
    kind: z.optional(z.literal('SelfSubjectAccessReview', { error: 'must be "SelfSubjectAccessReview"' })),
    spec: z.object({
      resourceAttributes: z.optional(
        z.object({
          namespace: text(),
          verb: text(),
          group: text(),
          version: text(),
          resource: text(),
          subresource: text(),
          name: text(),
        }),
      ),
      nonResourceAttributes: z.optional(z.object({ path: text(), verb: text() })),
    }),
  }),
);

/** Paths outside the resources that any authenticated caller may GET. */
const publicPaths = new Set(['/api', '/apis', '/version', '/healthz']);

interface ReviewStatus {
  allowed: boolean;
  reason?: string;
}

/**
 * `kubectl auth can-i`: whether the caller may do what the review names, answered by asking the
 * access policy the very question the route would ask (a patch needs update, a watch list).
 */
export async function reviewSelfSubjectAccess(policy: AccessPolicy, principal: Principal, body: unknown) {
  const { spec } = parseOrInvalid(selfSubjectAccessReviewSchema, body, 'SelfSubjectAccessReview', '');
  if ((spec.resourceAttributes === undefined) === (spec.nonResourceAttributes === undefined))
    throw new InvalidError('SelfSubjectAccessReview', '', [
      {
        reason: 'FieldValueRequired',
        field: 'spec',
        message: 'exactly one of nonResourceAttributes or resourceAttributes must be specified',
      },
    ]);
  let status: ReviewStatus;
  if (spec.resourceAttributes) {
    status = await resourceDecision(policy, principal, spec.resourceAttributes);
  } else {
    const { path = '', verb = '' } = spec.nonResourceAttributes ?? {};
    status =
      verb === 'get' && publicPaths.has(path)
        ? { allowed: true }
        : { allowed: false, reason: `${verb} ${path} is not served` };
  }
  return { apiVersion, kind: 'SelfSubjectAccessReview', metadata: { creationTimestamp: null }, spec, status };
}

/**
 * `imagestreams/layers`, which no route serves: OpenShift's question for its integrated registry, get to pull a
 * stream's images and update to push them (`oc policy can-i get imagestreams/layers`). Asked as registry tokens
 * and the token realm ask it.
 */
async function layersDecision(
  policy: AccessPolicy,
  principal: Principal,
  verb: string,
  namespace: string,
): Promise<ReviewStatus> {
  if (verb !== 'get' && verb !== 'update')
    return { allowed: false, reason: `imagestreams/layers do not support the verb "${verb}"` };
  return decided(policy.authorize(principal, { verb, resource: 'imagestreams/layers', namespace }));
}

/** A review's answer from the access policy's: allowed, or not with its reason. */
async function decided(authorized: Promise<unknown>): Promise<ReviewStatus> {
  try {
    await authorized;
    return { allowed: true };
  } catch (error) {
    if (error instanceof ForbiddenError) return { allowed: false, reason: error.message };
    throw error;
  }
}

async function resourceDecision(
  policy: AccessPolicy,
  principal: Principal,
  attributes: NonNullable<z.infer<ReturnType<typeof selfSubjectAccessReviewSchema>>['spec']['resourceAttributes']>,
): Promise<ReviewStatus> {
  const { group = '', resource = '', subresource = '', verb = '', namespace = '', name = '' } = attributes;
  if (group === 'image.openshift.io' && resource === 'imagestreams' && subresource === 'layers')
    return layersDecision(policy, principal, verb, namespace);
  const entry = findResource(group, resource);
  if (!entry) return { allowed: false, reason: `the server has no resource "${resource}" in group "${group}"` };
  const served: readonly string[] =
    subresource === ''
      ? entry.verbs
      : ((entry.subresources as readonly { name: string; verbs: readonly string[] }[]).find(
          (s) => s.name === subresource,
        )?.verbs ?? []);
  const what = subresource === '' ? entry.plural : `${entry.plural}/${subresource}`;
  if (!served.includes(verb)) return { allowed: false, reason: `${what} do not support the verb "${verb}"` };
  if (entry.access === undefined) return { allowed: true };
  const scope = entry.namespaced ? namespace : entry.plural === 'namespaces' ? name : '';
  return decided(
    policy.authorize(principal, { verb: accessVerbs[verb as KubeVerb], resource: entry.access, namespace: scope }),
  );
}
