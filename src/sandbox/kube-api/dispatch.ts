/** Routes one HTTP request to discovery, CRUD, list/watch, eviction or binding. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultInjector } from './faults.js';
import type { ObjectOps } from './object-ops.js';
import type { ResourceTarget } from './routes.js';
import type { KubeObject } from './types.js';
import type { DeleteOptions } from './deletion.js';
import { deleteObject, parseDeleteOptions } from './deletion.js';
import { SERVER_VERSION, coreVersions, groupInfo, groupList, resourceList } from './discovery.js';
import { mediaType, parseJsonBody, readBody, sendJson, sendJsonText } from './http-util.js';
import { parseSelection, sendList, serveWatch } from './list-watch.js';
import { RESOURCES } from './resources.js';
import { parseResourcePath } from './routes.js';
import { ApiError, methodNotAllowed } from './status.js';

/** Subresource POST handlers plugged in by the server (eviction, binding). */
export type SubresourceHandler = (
  target: ResourceTarget,
  body: unknown,
  query: URLSearchParams,
) => { code: number; body: unknown };

/** What dispatch needs. */
export interface DispatchContext {
  readonly ops: ObjectOps;
  readonly faults: FaultInjector;
  readonly address: () => string;
  readonly subresources: Readonly<Record<string, SubresourceHandler>>;
  /** BOOKMARK period of watches that allow them. */
  readonly bookmarkMs: number;
}

function notFoundPage(res: ServerResponse): void {
  sendJson(res, 404, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'the server could not find the requested resource',
    reason: 'NotFound',
    details: {},
    code: 404,
  });
}

/** Answers discovery and health paths; false when the path is something else. */
function serveDiscovery(path: string, res: ServerResponse, ctx: DispatchContext): boolean {
  if (path === '/version') sendJson(res, 200, SERVER_VERSION);
  else if (path === '/healthz' || path === '/readyz' || path === '/livez') {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('ok');
  } else if (path === '/api') sendJson(res, 200, coreVersions(ctx.address()));
  else if (path === '/apis') sendJson(res, 200, groupList());
  else {
    const segs = path.split('/').filter((s) => s !== '');
    let doc: Record<string, unknown> | undefined;
    if (segs[0] === 'api' && segs.length === 2) doc = resourceList('', segs[1] ?? '');
    else if (segs[0] === 'apis' && segs.length === 2) doc = groupInfo(segs[1] ?? '');
    else if (segs[0] === 'apis' && segs.length === 3) doc = resourceList(segs[1] ?? '', segs[2] ?? '');
    else return false;
    if (doc) sendJson(res, 200, doc);
    else notFoundPage(res);
  }
  return true;
}

function dryRun(query: URLSearchParams): boolean {
  return query.getAll('dryRun').includes('All');
}

function deleteOptionsFrom(body: unknown, query: URLSearchParams): DeleteOptions {
  const options = parseDeleteOptions(body);
  const grace = query.get('gracePeriodSeconds');
  if (grace !== null && options.gracePeriodSeconds === undefined) options.gracePeriodSeconds = Number(grace);
  if (dryRun(query)) options.dryRun = true;
  return options;
}

function objectResponse(ctx: DispatchContext, t: ResourceTarget, obj: KubeObject): unknown {
  return ctx.ops.external(t.def, obj);
}

function deleteResponse(ctx: DispatchContext, t: ResourceTarget, obj: KubeObject, gone: boolean): unknown {
  if (t.def.plural === 'pods' || !gone) return objectResponse(ctx, t, obj);
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: {
      name: obj.metadata.name,
      ...(t.def.group ? { group: t.def.group } : {}),
      kind: t.def.plural,
      uid: obj.metadata.uid,
    },
  };
}

async function serveResource(
  t: ResourceTarget,
  req: IncomingMessage,
  res: ServerResponse,
  query: URLSearchParams,
  ctx: DispatchContext,
  path: string,
): Promise<void> {
  const { ops } = ctx;
  const ns = t.def.namespaced ? (t.namespace ?? '') : '';
  const method = req.method ?? 'GET';
  if (method === 'GET' && t.name === undefined) {
    if (t.def.namespaced && t.namespace !== undefined && t.def.plural !== 'events')
      ops.requireNamespace(t.def, t.namespace);
    const sel = parseSelection(t.def, t.namespace, query);
    const watch = t.watchPrefix || query.get('watch') === 'true' || query.get('watch') === '1';
    if (watch)
      serveWatch(ops, t.def, sel, query, req, res, { faults: ctx.faults, path, bookmarkMs: ctx.bookmarkMs });
    else sendList(ops, t.def, sel, query, res);
    return;
  }
  if (method === 'GET' && t.name !== undefined) {
    const entry = ops.store.getEntry(t.def.storage, ns, t.name);
    if (!entry) ops.get(t.def, ns, t.name);
    else if (t.def.group === 'events.k8s.io') sendJson(res, 200, ops.external(t.def, entry.obj));
    else sendJsonText(res, 200, entry.json);
    return;
  }
  const text = await readBody(req);
  const type = mediaType(req);
  const body = parseJsonBody(text);
  const write = {
    dryRun: dryRun(query),
    ...(t.subresource !== undefined ? { subresource: t.subresource } : {}),
  };
  if (method === 'POST' && t.name !== undefined && t.subresource !== undefined) {
    const handler = ctx.subresources[`${t.def.plural}/${t.subresource}`];
    if (!handler) throw methodNotAllowed();
    const out = handler(t, body, query);
    sendJson(res, out.code, out.body);
  } else if (method === 'POST' && t.name === undefined) {
    sendJson(res, 201, objectResponse(ctx, t, ops.create(t.def, ns, body, write)));
  } else if (method === 'PUT' && t.name !== undefined) {
    sendJson(res, 200, objectResponse(ctx, t, ops.update(t.def, ns, t.name, body, write)));
  } else if (method === 'PATCH' && t.name !== undefined) {
    sendJson(res, 200, objectResponse(ctx, t, ops.patch(t.def, ns, t.name, type, body, write)));
  } else if (method === 'DELETE' && t.name !== undefined) {
    const result = deleteObject(ops, t.def, ns, t.name, deleteOptionsFrom(body, query), RESOURCES);
    sendJson(res, 200, deleteResponse(ctx, t, result.obj, result.gone));
  } else if (method === 'DELETE') {
    const sel = parseSelection(t.def, t.namespace, query);
    const options = deleteOptionsFrom(body, query);
    const items = [...ops.store.entries(t.def.storage, sel)]
      .filter((e) => sel.matches(e.obj))
      .map((e) => e.obj);
    for (const obj of items)
      deleteObject(ops, t.def, obj.metadata.namespace ?? '', obj.metadata.name ?? '', options, RESOURCES);
    sendJson(res, 200, {
      kind: `${t.def.kind}List`,
      apiVersion: t.def.group ? `${t.def.group}/${t.def.version}` : 'v1',
      metadata: {},
      items: items.map((o) => ops.external(t.def, o)),
    });
  } else throw methodNotAllowed();
}

/** Serves one request (faults are applied by the caller). Throws ApiError for Status answers. */
export async function dispatch(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: URLSearchParams,
  ctx: DispatchContext,
): Promise<void> {
  if (req.method === 'GET' && serveDiscovery(path, res, ctx)) return;
  const t = parseResourcePath(path);
  if (!t) {
    notFoundPage(res);
    return;
  }
  await serveResource(t, req, res, query, ctx, path);
}

export { ApiError };
