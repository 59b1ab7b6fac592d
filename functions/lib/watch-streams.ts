import { setTimeout as sleep } from 'node:timers/promises';
import { buildTable, parseIncludeObject, type TableColumn } from '../../core/kube/build-table.ts';
import { diffSnapshots, type NamedObject, type Snapshot, snapshotOf } from '../../core/kube/diff-snapshots.ts';
import { InvalidQueryParameterError, TooManyWatchesError } from '../../core/kube/errors.ts';
import { negotiateListFormat } from '../../core/kube/negotiate-list-format.ts';
import { parseFieldSelector } from '../../core/kube/parse-field-selector.ts';
import { parseLabelSelector } from '../../core/kube/parse-label-selector.ts';
import { snapshotVersion } from '../../core/kube/snapshot-version.ts';
import { bookmarkObject, watchEventLine } from '../../core/kube/watch-event-line.ts';
import type { Config } from './config.ts';
import { errorResponse } from './error-response.ts';
import { expiredWatchStatus } from './expired-watch-status.ts';

export interface WatchSettings {
  /** How often a watch lists again to find changes (there are no DynamoDB streams in dynalite, nor a global revision). */
  pollMs: number;
  /** A watch's duration when the client names none (`timeoutSeconds`), and the most it may name. */
  defaultTimeoutSeconds: number;
  maxTimeoutSeconds: number;
  /** Watches open at once on this server; one more gets 429. */
  maxActive: number;
}

/** The watch settings of the one config. */
export function watchSettings(
  config: Pick<Config, 'watchPollMs' | 'watchTimeoutSeconds' | 'watchMaxTimeoutSeconds' | 'watchMaxActive'>,
): WatchSettings {
  return {
    pollMs: config.watchPollMs,
    defaultTimeoutSeconds: config.watchTimeoutSeconds,
    maxTimeoutSeconds: config.watchMaxTimeoutSeconds,
    maxActive: config.watchMaxActive,
  };
}

/** A watch's response body: started when the transport pipes it, ended by its timeout, an expired version or `signal`. */
export type WatchBody = (signal: AbortSignal) => AsyncIterable<string>;

export interface WatchRequest<T extends NamedObject & { metadata: { labels?: Record<string, string> } }> {
  apiVersion: string;
  kind: string;
  /** The namespace's whole list of the kind, as a GET of the collection answers it. */
  list: () => Promise<readonly T[]>;
  query: Readonly<Record<string, string | undefined>>;
  accept: string | undefined;
  columns: readonly TableColumn<T>[];
  now: () => Date;
}

/**
 * Watches served by polling: each lists the namespace's objects of its kind every `pollMs` and sends what
 * changed as WatchEvents (whole answers are compared, see diffSnapshots). Memory per watch is one list; the
 * number of watches is capped; a watch ends at its timeout, or as soon as its client goes away.
 */
export class WatchStreams {
  readonly settings: WatchSettings;
  #active = 0;

  constructor(settings: WatchSettings) {
    this.settings = settings;
  }

  /** Watches currently streaming. */
  get active(): number {
    return this.#active;
  }

  /**
   * Checks the request and takes the first list before anything is sent, so that a bad parameter or a failing
   * store is an ordinary Status; what comes after is the stream.
   */
  async open<T extends NamedObject & { metadata: { labels?: Record<string, string> } }>(
    request: WatchRequest<T>,
  ): Promise<WatchBody> {
    const { query } = request;
    const timeoutSeconds = this.timeoutOf(query.timeoutSeconds);
    const field = parseFieldSelector(query.fieldSelector ?? '');
    const label = parseLabelSelector(query.labelSelector ?? '');
    const includeObject = parseIncludeObject(query.includeObject);
    const asTable = negotiateListFormat(request.accept) === 'table';
    const bookmarks = query.allowWatchBookmarks === 'true';
    const initialEvents = query.sendInitialEvents === 'true';
    const resourceVersion = query.resourceVersion ?? '';
    if (this.#active >= this.settings.maxActive) throw new TooManyWatchesError(this.settings.maxActive);
    let all = snapshotOf(await request.list());

    const selected = (snapshot: Snapshot<T>): Snapshot<T> =>
      new Map(
        [...snapshot].filter(
          ([, { object }]) =>
            field.matches({
              'metadata.name': object.metadata.name,
              'metadata.namespace': object.metadata.namespace ?? '',
            }) && label.matches(object.metadata.labels),
        ),
      );
    let withColumns = true;
    const line = (type: 'ADDED' | 'MODIFIED' | 'DELETED', object: T) => {
      if (!asTable) return watchEventLine(type, object);
      const table = buildTable({
        columns: request.columns,
        objects: [object],
        now: request.now(),
        includeObject,
        withColumnDefinitions: withColumns,
      });
      withColumns = false;
      return watchEventLine(type, table);
    };
    const bookmark = (version: string, annotations?: Record<string, string>) => {
      const object = bookmarkObject(request.apiVersion, request.kind, version) as { metadata: object };
      if (annotations) object.metadata = { ...object.metadata, annotations };
      return watchEventLine('BOOKMARK', object);
    };

    const settings = this.settings;
    const watches = this;
    return async function* watch(signal: AbortSignal) {
      watches.#active++;
      try {
        let version = snapshotVersion(selected(all));
        const fromScratch = resourceVersion === '' || resourceVersion === '0' || initialEvents;
        if (!fromScratch && resourceVersion !== version) {
          // We keep no history to replay from: the client lists again (client-go's reflector does so on a 410).
          yield watchEventLine(
            'ERROR',
            expiredWatchStatus(`too old resource version: ${resourceVersion} (${version})`),
          );
          return;
        }
        let current = selected(all);
        if (fromScratch) for (const { object } of current.values()) yield line('ADDED', object);
        if (initialEvents && bookmarks) yield bookmark(version, { 'k8s.io/initial-events-end': 'true' });

        const deadline = Date.now() + timeoutSeconds * 1000;
        for (;;) {
          const remaining = deadline - Date.now();
          if (remaining <= 0) break;
          const slept = await sleep(Math.min(settings.pollMs, remaining), true, { signal }).catch(() => false);
          if (!slept) return;
          try {
            all = snapshotOf(await request.list());
          } catch (error) {
            yield watchEventLine('ERROR', statusOf(error));
            return;
          }
          const next = selected(all);
          for (const change of diffSnapshots(current, next)) yield line(change.type, change.object);
          current = next;
          const nextVersion = snapshotVersion(selected(all));
          // After every change the client's last version is one we can resume from (not an object's own).
          if (bookmarks && nextVersion !== version) yield bookmark(nextVersion);
          version = nextVersion;
        }
        if (bookmarks) yield bookmark(version);
      } finally {
        watches.#active--;
      }
    };
  }

  private timeoutOf(raw: string | undefined): number {
    if (raw === undefined || raw === '') return this.settings.defaultTimeoutSeconds;
    const seconds = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(seconds))
      throw new InvalidQueryParameterError(
        `timeoutSeconds: must be a non-negative integer, not ${JSON.stringify(raw)}`,
      );
    if (seconds === 0) return this.settings.defaultTimeoutSeconds;
    return Math.min(seconds, this.settings.maxTimeoutSeconds);
  }
}

/** A failure in the middle of a stream, as the Status its HTTP answer would have carried. */
function statusOf(error: unknown): unknown {
  return JSON.parse(errorResponse(error, 'watch').response.body ?? '{}');
}
