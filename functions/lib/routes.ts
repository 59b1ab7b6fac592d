import type { Resource, Verb } from '../../core/access/authorize.ts';

/**
 * Every route of the HTTPS API, declared once: sst.config.ts creates the API Gateway routes from it,
 * the Lambda's router dispatches on it, and each route names what it needs to be authorised for.
 */
export const apiRoutes = [
  { method: 'GET', path: '/v1/namespaces', operation: 'listNamespaces', verb: 'list', resource: 'namespaces' },
  { method: 'POST', path: '/v1/namespaces', operation: 'createNamespace', verb: 'create', resource: 'namespaces' },
  { method: 'GET', path: '/v1/namespaces/{namespace}', operation: 'getNamespace', verb: 'get', resource: 'namespaces' },
  { method: 'GET', path: '/v1/namespaces/{namespace}/rolebindings', operation: 'listRoleBindings', verb: 'list', resource: 'rolebindings' },
  { method: 'POST', path: '/v1/namespaces/{namespace}/rolebindings', operation: 'createRoleBinding', verb: 'create', resource: 'rolebindings' },
  { method: 'GET', path: '/v1/namespaces/{namespace}/rolebindings/{name}', operation: 'getRoleBinding', verb: 'get', resource: 'rolebindings' },
  { method: 'PUT', path: '/v1/namespaces/{namespace}/rolebindings/{name}', operation: 'replaceRoleBinding', verb: 'update', resource: 'rolebindings' },
  { method: 'DELETE', path: '/v1/namespaces/{namespace}/rolebindings/{name}', operation: 'deleteRoleBinding', verb: 'delete', resource: 'rolebindings' },
  { method: 'GET', path: '/v1/namespaces/{namespace}/imagestreams', operation: 'listImageStreams', verb: 'list', resource: 'imagestreams' },
  { method: 'POST', path: '/v1/namespaces/{namespace}/imagestreams', operation: 'createImageStream', verb: 'create', resource: 'imagestreams' },
  { method: 'GET', path: '/v1/namespaces/{namespace}/imagestreams/{name}', operation: 'getImageStream', verb: 'get', resource: 'imagestreams' },
  { method: 'PUT', path: '/v1/namespaces/{namespace}/imagestreams/{name}', operation: 'replaceImageStream', verb: 'update', resource: 'imagestreams' },
  { method: 'DELETE', path: '/v1/namespaces/{namespace}/imagestreams/{name}', operation: 'deleteImageStream', verb: 'delete', resource: 'imagestreams' },
  { method: 'GET', path: '/v1/namespaces/{namespace}/imagestreams/{name}/describe', operation: 'describeImageStream', verb: 'get', resource: 'imagestreams' },
  { method: 'GET', path: '/v1/namespaces/{namespace}/imagestreamtags', operation: 'listImageStreamTags', verb: 'list', resource: 'imagestreamtags' },
  { method: 'GET', path: '/v1/namespaces/{namespace}/imagestreamtags/{name}', operation: 'getImageStreamTag', verb: 'get', resource: 'imagestreamtags' },
  { method: 'PUT', path: '/v1/namespaces/{namespace}/imagestreamtags/{name}', operation: 'putImageStreamTag', verb: 'update', resource: 'imagestreamtags' },
  { method: 'DELETE', path: '/v1/namespaces/{namespace}/imagestreamtags/{name}', operation: 'deleteImageStreamTag', verb: 'delete', resource: 'imagestreamtags' },
  { method: 'GET', path: '/v1/namespaces/{namespace}/imagestreamtags/{name}/describe', operation: 'describeImageStreamTag', verb: 'get', resource: 'imagestreamtags' },
  { method: 'GET', path: '/v1/namespaces/{namespace}/imagestreamimages/{name}', operation: 'getImageStreamImage', verb: 'get', resource: 'imagestreamimages' },
  { method: 'POST', path: '/v1/namespaces/{namespace}/imagestreamimports', operation: 'createImageStreamImport', verb: 'create', resource: 'imagestreamimports' },
  { method: 'GET', path: '/v1/namespaces/{namespace}/imagetriggers', operation: 'listTriggers', verb: 'list', resource: 'imagetriggers' },
  { method: 'POST', path: '/v1/namespaces/{namespace}/imagetriggers', operation: 'createTrigger', verb: 'create', resource: 'imagetriggers' },
  { method: 'GET', path: '/v1/namespaces/{namespace}/imagetriggers/{name}', operation: 'getTrigger', verb: 'get', resource: 'imagetriggers' },
  { method: 'PUT', path: '/v1/namespaces/{namespace}/imagetriggers/{name}', operation: 'replaceTrigger', verb: 'update', resource: 'imagetriggers' },
  { method: 'DELETE', path: '/v1/namespaces/{namespace}/imagetriggers/{name}', operation: 'deleteTrigger', verb: 'delete', resource: 'imagetriggers' },
  { method: 'GET', path: '/v1/namespaces/{namespace}/secrets', operation: 'listSecrets', verb: 'list', resource: 'secrets' },
  { method: 'POST', path: '/v1/namespaces/{namespace}/secrets', operation: 'createSecret', verb: 'create', resource: 'secrets' },
  { method: 'GET', path: '/v1/namespaces/{namespace}/secrets/{name}', operation: 'getSecret', verb: 'get', resource: 'secrets' },
  { method: 'PUT', path: '/v1/namespaces/{namespace}/secrets/{name}', operation: 'replaceSecret', verb: 'update', resource: 'secrets' },
  { method: 'DELETE', path: '/v1/namespaces/{namespace}/secrets/{name}', operation: 'deleteSecret', verb: 'delete', resource: 'secrets' },
] as const satisfies readonly { method: string; path: string; operation: string; verb: Verb; resource: Resource }[];

export type ApiRoute = (typeof apiRoutes)[number];
export type Operation = ApiRoute['operation'];
