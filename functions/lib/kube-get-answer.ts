import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { NotAcceptableError } from '../../core/errors.ts';
import { buildTable, parseIncludeObject, type TableColumn } from '../../core/kube/build-table.ts';
import type { ContinueTokens } from '../../core/kube/continue-tokens.ts';
import { type ListRequest, listRequest, wholeList } from '../../core/kube/list-request.ts';
import { negotiateListFormat } from '../../core/kube/negotiate-list-format.ts';
import { defaultColumns } from '../../core/kube/table-columns.ts';
import type { Clock } from '../../core/ports.ts';
import type { ApiRoute } from './routes.ts';

/** What a GET of a kind's object or list answers with: the page asked for, and the answer as JSON or as a Table. */
export interface KubeGetAnswer {
  list: ListRequest;
  render(json: unknown): unknown;
}

const tableMediaTypes = ['application/json', 'application/json;as=Table;v=v1;g=meta.k8s.io'];

/**
 * For a GET of an object or a list (not a subresource, not discovery): negotiates the answer's format
 * (a meta.k8s.io/v1 Table when kubectl asks for one; 406 when nothing acceptable can be served) and reads
 * the list parameters. Undefined for every other route.
 */
export function kubeGetAnswer(
  route: ApiRoute,
  event: APIGatewayProxyEventV2,
  lists: { continueTokens: ContinueTokens | undefined; clock: Clock },
  namespace: string,
): KubeGetAnswer | undefined {
  const resource = route.resource;
  const isList = route.operation.endsWith('.list');
  if (!resource || route.method !== 'GET' || route.produces !== 'application/json') return undefined;
  if (!isList && !route.operation.endsWith('.get')) return undefined;
  const format = negotiateListFormat(event.headers?.accept);
  if (format === 'not-acceptable') throw new NotAcceptableError(tableMediaTypes);
  const query = event.queryStringParameters ?? {};
  const now = lists.clock.now();
  const list = isList
    ? listRequest({
        query,
        scope: `${resource.group}/${resource.plural}/${namespace}`,
        tokens: lists.continueTokens,
        now,
      })
    : wholeList;
  if (format === 'json') return { list, render: (json) => json };
  const includeObject = parseIncludeObject(query.includeObject);
  const columns = (resource.columns.length ? resource.columns : defaultColumns) as readonly TableColumn<{
    metadata?: unknown;
  }>[];
  return {
    list,
    render: (json) => {
      const answer = json as { items?: { metadata?: unknown }[]; metadata?: Record<string, unknown> };
      return buildTable({
        columns,
        objects: isList ? (answer.items ?? []) : [answer],
        now,
        includeObject,
        metadata: isList ? (answer.metadata ?? {}) : {},
      });
    },
  };
}
