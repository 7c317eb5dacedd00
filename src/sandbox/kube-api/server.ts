/** Starts the Kubernetes API simulator: a plain-HTTP server that kubectl and @kubernetes/client-node talk to. */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import type { Clock } from '../../clock.js';
import { systemClock } from '../../clock.js';
import { ACCESS_REVIEW_PATH, AccessRules, serveAccessReview } from './self-subject-access-review.js';
import type { SubresourceHandler } from './dispatch.js';
import { dispatch } from './dispatch.js';
import { DisruptionController } from './disruption-controller.js';
import { bindingHandler } from './binding.js';
import { evictionHandler } from './eviction.js';
import { FaultInjector } from './faults.js';
import { NodeLifecycleController } from './node-lifecycle.js';
import { ReplicaSetController } from './replicaset-controller.js';
import { DeploymentController } from './deployment-controller.js';
import type { Scheduler } from './scheduler.js';
import { leastPodsScheduler, noScheduler } from './scheduler.js';
import { sendError, toApiError } from './http-util.js';
import { ObjectOps, core } from './object-ops.js';
import { RequestLog } from './request-log.js';
import { ApiError, reasonForCode } from './status.js';
import { ObjectStore } from './object-store.js';

/** Options for `startKubeApiSimulator`. */
export interface KubeApiSimulatorOptions {
  /** Port to listen on (default 0: any free port). The host is always 127.0.0.1. */
  readonly port?: number;
  /** Clock for timestamps (creation, deletion). Default: the system clock. */
  readonly clock?: Clock;
  /** Watch history window per resource (default 100,000 changes). */
  readonly historySize?: number;
  /** Requests kept in the request log (default 20,000). */
  readonly requestLogSize?: number;
  /** TaintNodesByCondition: new nodes get the not-ready NoSchedule taint (default true, like a real server). */
  readonly taintNewNodes?: boolean;
  /**
   * Imitate the node lifecycle controller's NoSchedule taints (not-ready, unreachable, unschedulable)
   * from the Ready condition and spec.unschedulable (default true, like a real control plane).
   */
  readonly nodeLifecycleController?: boolean;
  /**
   * Imitate the ReplicaSet controller (replace terminating/deleted RS pods) and the Deployment controller
   * (rolling updates through ReplicaSets) (default true).
   */
  readonly replicaSetController?: boolean;
  /** Where replacement pods go: a Scheduler function, 'none' (stay Pending) or default least-pods. */
  readonly scheduler?: Scheduler | 'none';
  /** Namespaces that exist at start (default: default, kube-system, kube-public, kube-node-lease). */
  readonly namespaces?: readonly string[];
  /**
   * A watch with allowWatchBookmarks=true gets a BOOKMARK this often (default 60 s, as a 1.24 API server
   * sends them; tests may shorten it).
   */
  readonly watchBookmarkIntervalMs?: number;
}

/** A running simulator. */
export interface KubeApiSimulator {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  /** Direct state access for tests and bulk seeding. */
  readonly store: ObjectStore;
  /** Object operations with API semantics (no HTTP). */
  readonly ops: ObjectOps;
  /** Answered requests. */
  readonly requests: RequestLog;
  /** Fault injection. */
  readonly faults: FaultInjector;
  /** What SelfSubjectAccessReviews answer (everything allowed unless denied). */
  readonly access: AccessRules;
  /** Registers a handler for a POST subresource (internal: eviction, binding). */
  readonly subresources: Record<string, SubresourceHandler>;
  /** PDB status controller (call `flush()` to make PDB status current synchronously). */
  readonly disruption: DisruptionController;
  /** Drops watch history, as etcd compaction does (older resourceVersions then get 410). */
  compact(): void;
  /** Closes all connections (watches included) and the server. */
  stop(): Promise<void>;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  sim: KubeApiSimulator,
  address: () => string,
  bookmarkMs: number,
): Promise<void> {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const queryText = q < 0 ? '' : url.slice(q + 1);
  const method = req.method ?? 'GET';
  let recorded = false;
  const record = (status: number): void => {
    if (recorded) return;
    recorded = true;
    sim.requests.logRequest({
      method,
      path,
      query: queryText,
      contentType: req.headers['content-type'] ?? '',
      status,
      at: Date.now(),
      userAgent: req.headers['user-agent'] ?? '',
    });
  };
  res.on('finish', () => record(res.statusCode));
  res.on('close', () => record(res.statusCode));
  const fault = sim.faults.take(method, path, req.headers['user-agent'] ?? '');
  if (fault?.latencyMs) await delay(fault.latencyMs);
  if (fault?.status) {
    const retry = fault.retryAfterSeconds;
    const message = fault.message ?? `injected fault: ${fault.status}`;
    sendError(
      res,
      new ApiError(
        fault.status,
        reasonForCode(fault.status),
        message,
        retry ? { retryAfterSeconds: retry } : undefined,
      ),
    );
    return;
  }
  try {
    if (method === 'POST' && path === ACCESS_REVIEW_PATH)
      return await serveAccessReview(req, res, sim.access);
    await dispatch(req, res, path, new URLSearchParams(queryText), {
      ops: sim.ops,
      faults: sim.faults,
      address,
      subresources: sim.subresources,
      bookmarkMs,
    });
  } catch (err) {
    if (res.headersSent) res.destroy();
    else sendError(res, toApiError(err));
  }
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/** Starts the simulator on 127.0.0.1. */
export async function startKubeApiSimulator(
  options: KubeApiSimulatorOptions = {},
): Promise<KubeApiSimulator> {
  const store = new ObjectStore(options.historySize);
  const clock = options.clock ?? systemClock;
  const ops = new ObjectOps(store, clock, { taintNewNodes: options.taintNewNodes ?? true });
  for (const name of options.namespaces ?? ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    ops.create(core.namespaces, '', { metadata: { name } });
  }
  const disruption = new DisruptionController(ops);
  const nodeLifecycle =
    options.nodeLifecycleController === false ? undefined : new NodeLifecycleController(ops);
  const scheduler = options.scheduler === 'none' ? noScheduler : (options.scheduler ?? leastPodsScheduler);
  const rsController =
    options.replicaSetController === false ? undefined : new ReplicaSetController(ops, scheduler);
  // Deployments roll through ReplicaSets: no ReplicaSet controller, no Deployment controller
  const deployController = rsController ? new DeploymentController(ops, rsController) : undefined;
  const server = createServer({ keepAliveTimeout: 60_000, requestTimeout: 0 });
  let port = 0;
  const stop = async (): Promise<void> => {
    disruption.stop();
    nodeLifecycle?.stop();
    rsController?.stop();
    deployController?.stop();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  const sim: KubeApiSimulator = {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    store,
    ops,
    requests: new RequestLog(options.requestLogSize),
    faults: new FaultInjector(),
    access: new AccessRules(),
    subresources: { 'pods/eviction': evictionHandler(ops, disruption), 'pods/binding': bindingHandler(ops) },
    disruption,
    compact: () => store.compact(),
    stop,
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const bookmarkMs = options.watchBookmarkIntervalMs ?? 60_000;
    handle(req, res, sim, () => `127.0.0.1:${port}`, bookmarkMs).catch((err: unknown) => {
      if (!res.headersSent) sendError(res, toApiError(err));
    });
  });
  port = await listen(server, options.port ?? 0);
  return sim;
}
