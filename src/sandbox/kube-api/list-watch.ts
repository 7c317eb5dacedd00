/** LIST (selectors, paging) and WATCH (initial state, replay from a resourceVersion, 410 Gone). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultInjector } from './faults.js';
import type { ObjectOps } from './object-ops.js';
import type { ResourceDef } from './resources.js';
import type { StoreEvent, StoredEntry, WatchType, Watcher } from './object-store.js';
import type { KubeObject } from './types.js';
import { podNodeName } from './types.js';
import { sendJsonText } from './http-util.js';
import { apiVersionOf } from './resources.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import { ApiError, badRequest } from './status.js';
import { ExpiredError, deliver } from './object-store.js';

/** Which objects a list or watch selects. */
export interface Selection {
  readonly namespace?: string;
  readonly nodeName?: string;
  readonly matches: (obj: KubeObject) => boolean;
}

function fieldSetOf(def: ResourceDef): string {
  if (def.storage === 'events') return def.group === 'events.k8s.io' ? 'events.k8s.io-events' : 'core-events';
  return def.plural;
}

/** Parses labelSelector and fieldSelector for a list or watch. */
export function parseSelection(
  def: ResourceDef,
  namespace: string | undefined,
  query: URLSearchParams,
): Selection {
  const labels = parseLabelSelector(query.get('labelSelector'));
  const fields = parseFieldSelector(query.get('fieldSelector'), fieldSetOf(def));
  const matches = (obj: KubeObject): boolean =>
    (namespace === undefined || obj.metadata.namespace === namespace) &&
    (labels === undefined || labels(obj)) &&
    (fields === undefined || fields.match(obj));
  return {
    ...(namespace !== undefined ? { namespace } : {}),
    ...(fields?.nodeName !== undefined && def.plural === 'pods' ? { nodeName: fields.nodeName } : {}),
    matches,
  };
}

function keyOf(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}

function decodeContinue(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { start?: unknown };
    if (typeof parsed.start === 'string') return parsed.start;
  } catch {
    // fall through
  }
  throw badRequest(
    'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
  );
}

/** Answers a LIST: items sorted by namespace/name like etcd keys, `limit`/`continue` paging. */
export function sendList(
  ops: ObjectOps,
  def: ResourceDef,
  sel: Selection,
  query: URLSearchParams,
  res: ServerResponse,
): void {
  const matched: StoredEntry[] = [];
  for (const e of ops.store.entries(def.storage, sel)) if (sel.matches(e.obj)) matched.push(e);
  matched.sort((a, b) => (keyOf(a.obj) < keyOf(b.obj) ? -1 : 1));
  const cont = query.get('continue');
  let start = 0;
  if (cont) {
    const after = decodeContinue(cont);
    start = matched.findIndex((e) => keyOf(e.obj) > after);
    if (start < 0) start = matched.length;
  }
  const limit = Number(query.get('limit') ?? '0');
  const end = limit > 0 ? Math.min(matched.length, start + limit) : matched.length;
  const page = matched.slice(start, end);
  const rv = String(ops.store.resourceVersion);
  const meta: Record<string, unknown> = { resourceVersion: rv };
  const last = page[page.length - 1];
  if (end < matched.length && last) {
    meta['continue'] = Buffer.from(
      JSON.stringify({ v: 'meta.k8s.io/v1', rv: Number(rv), start: keyOf(last.obj) }),
    ).toString('base64url');
    // a real server counts the rest only for unfiltered lists (etcd cannot count through a selector)
    if (!query.get('labelSelector') && !query.get('fieldSelector'))
      meta['remainingItemCount'] = matched.length - end;
  }
  const convert = def.group === 'events.k8s.io';
  const items = page.map((e) => (convert ? JSON.stringify(ops.external(def, e.obj)) : e.json)).join(',');
  const head = JSON.stringify({ kind: `${def.kind}List`, apiVersion: apiVersionOf(def), metadata: meta });
  sendJsonText(res, 200, `${head.slice(0, -1)},"items":[${items}]}`);
}

/** True when either version of the changed pod is bound to `node` (skips the selector for the rest). */
function touchesNode(ev: StoreEvent, node: string): boolean {
  return podNodeName(ev.entry.obj) === node || (ev.prev !== undefined && podNodeName(ev.prev.obj) === node);
}

function eventLine(type: WatchType | 'ERROR' | 'BOOKMARK', json: string): string {
  return `{"type":"${type}","object":${json}}\n`;
}

/** How a watch is served: faults that may cut it, its path, the BOOKMARK period. */
export interface WatchServing {
  readonly faults: FaultInjector;
  readonly path: string;
  readonly bookmarkMs: number;
}

/**
 * Serves a WATCH until the client leaves, `timeoutSeconds` passes, the server stops or a fault cuts it.
 * With allowWatchBookmarks=true a BOOKMARK (an object of the kind carrying only the resourceVersion of
 * the resource's latest change) comes every `bookmarkMs` once that change is newer than the watch's
 * start, as a real API server sends them.
 */
export function serveWatch(
  ops: ObjectOps,
  def: ResourceDef,
  sel: Selection,
  query: URLSearchParams,
  req: IncomingMessage,
  res: ServerResponse,
  { faults, path, bookmarkMs }: WatchServing,
): void {
  const rvParam = query.get('resourceVersion') ?? '';
  let replay: StoreEvent[] | undefined;
  if (rvParam !== '' && rvParam !== '0') {
    const rv = Number(rvParam);
    if (!Number.isInteger(rv) || rv < 0)
      throw new ApiError(400, 'BadRequest', `invalid resource version: ${rvParam}`);
    try {
      replay = ops.store.eventsSince(def.storage, rv);
    } catch (err) {
      if (!(err instanceof ExpiredError)) throw err;
      const gone = new ApiError(410, 'Expired', err.message);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
      res.end(eventLine('ERROR', JSON.stringify(gone.body())));
      return;
    }
  }
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  res.flushHeaders();
  const convert = def.group === 'events.k8s.io';
  const render = (e: StoredEntry): string => (convert ? JSON.stringify(ops.external(def, e.obj)) : e.json);
  const watcher: Watcher = {
    ...(sel.namespace !== undefined ? { namespace: sel.namespace } : {}),
    ...(sel.nodeName !== undefined ? { nodeName: sel.nodeName } : {}),
    matches: sel.matches,
    send: (type, entry) => void res.write(eventLine(type, render(entry))),
  };
  if (replay) {
    const node = sel.nodeName;
    for (const ev of replay) if (node === undefined || touchesNode(ev, node)) deliver(watcher, ev);
  } else {
    for (const e of ops.store.entries(def.storage, sel)) if (sel.matches(e.obj)) watcher.send('ADDED', e);
  }
  const unwatch = ops.store.addWatcher(def.storage, watcher);
  const timeout = Number(query.get('timeoutSeconds') ?? '0');
  const timer = timeout > 0 ? setTimeout(() => finish(), timeout * 1000) : undefined;
  const uncut = faults.onCut((pattern) => {
    if (!pattern || pattern.test(path)) finish();
  });
  // a real server's bookmark carries its watch cache's resourceVersion for the resource, and is sent
  // only once that is past where the watch started
  const startRv = replay ? Number(rvParam) : ops.store.lastChange(def.storage);
  const sendBookmark = (): void => {
    const rv = ops.store.lastChange(def.storage);
    if (rv <= startRv) return;
    const meta = { resourceVersion: String(rv) };
    res.write(
      eventLine(
        'BOOKMARK',
        JSON.stringify({ kind: def.kind, apiVersion: apiVersionOf(def), metadata: meta }),
      ),
    );
  };
  const bookmarks =
    query.get('allowWatchBookmarks') === 'true' ? setInterval(sendBookmark, bookmarkMs) : undefined;
  let done = false;
  function finish(): void {
    if (done) return;
    done = true;
    unwatch();
    uncut();
    if (timer) clearTimeout(timer);
    if (bookmarks) clearInterval(bookmarks);
    if (!res.writableEnded) res.end();
  }
  req.on('close', finish);
  res.on('close', finish);
}
