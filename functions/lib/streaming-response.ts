import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { WatchBody } from './watch-streams.ts';

const streamingBody = Symbol('streamingBody');

type StreamingResult = APIGatewayProxyStructuredResultV2 & { [streamingBody]?: WatchBody };

/**
 * A 200 whose body is produced while it is sent (a watch). Only a transport that streams can send it (local
 * mode's server; a Lambda function URL with response streaming could, through awslambda.streamifyResponse): it
 * writes the status and headers, then each chunk as it comes, and aborts the body when the client goes away.
 */
export function streamingResponse(body: WatchBody): APIGatewayProxyStructuredResultV2 {
  const result: StreamingResult = {
    statusCode: 200,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-cache, private' },
  };
  result[streamingBody] = body;
  return result;
}

/** The body to stream, when the handler answered with one. */
export function streamingBodyOf(result: APIGatewayProxyStructuredResultV2): WatchBody | undefined {
  return (result as StreamingResult)[streamingBody];
}
