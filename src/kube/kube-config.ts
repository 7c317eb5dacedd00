/**
 * Loads the Kubernetes client configuration and fixes two things @kubernetes/client-node 1.x lacks:
 * HTTP keep-alive (it builds a fresh Agent, hence a fresh TCP/TLS connection, for every request;
 * stack.md §2) and a client-side rate limit shared by every API client made from this config.
 */
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { KubeConfig, type RequestContext } from '@kubernetes/client-node';
import type { RequestOptions } from 'node:https';
import type { RequestInit } from 'node-fetch';
import { VERSION } from '../version.js';
import { ConfigError } from '../errors.js';
import { NO_CREDENTIALS } from './no-credentials.js';
import { requestPriority, type RateLimiter, type RequestPriority } from './rate-limiter.js';

export { NO_CREDENTIALS } from './no-credentials.js';

/** Where the configuration comes from. The config module reads the environment and passes values in. */
export interface KubeConfigSource {
  /** A kubeconfig file (flag `--kubeconfig` / env KUBECONFIG). */
  readonly kubeconfigPath?: string;
  /** Use the pod's service account (true when KUBERNETES_SERVICE_HOST is set and no kubeconfig is given). */
  readonly inCluster?: boolean;
  /** A plain server URL (simulators, tests): `http://127.0.0.1:P`, optional bearer token. */
  readonly server?: { readonly url: string; readonly token?: string };
  /** Shared client-side rate limit applied before every API request. */
  readonly rateLimiter?: RateLimiter;
  /** Per-request timeout for ordinary API calls (not watches); default 30 s. */
  readonly requestTimeoutMs?: number;
  /** Upper bound of open connections per pool: pods and Events, nodes (watches and the lease have their own). */
  readonly maxSockets?: number;
}

type AnyAgent = http.Agent | https.Agent;

/** Keep-alive pool per request priority: pods and Events share one; the lease and nodes have their own. */
const POOL: Readonly<Record<RequestPriority, string>> = {
  lease: 'lease',
  node: 'node',
  pod: 'api',
  event: 'api',
};
/** One renewal at a time; a second socket covers a connection being replaced. */
const LEASE_SOCKETS = 2;

/** Every request says who sends it (API server audit logs; tests tell the daemon's calls apart). */
export const USER_AGENT = `spot-handler/${VERSION}`;

/** A KubeConfig whose API clients reuse connections and wait for the shared rate limiter. */
export class KeepAliveKubeConfig extends KubeConfig {
  private readonly pools = new Map<string, AnyAgent>();
  private rateLimiter: RateLimiter | undefined;
  private maxSockets = 100;
  /** client-node sets no timeout: an API server that accepts and never answers would hang a drain. */
  private requestTimeoutMs = 30_000;

  /** Sets the limiter every request waits for, and the socket cap for ordinary requests. */
  configureClient(rateLimiter: RateLimiter | undefined, maxSockets = 100, requestTimeoutMs = 30_000): void {
    this.rateLimiter = rateLimiter;
    this.maxSockets = maxSockets;
    this.requestTimeoutMs = requestTimeoutMs;
  }

  /**
   * Called by generated API clients before every request: rate limit (by priority: lease, nodes, pods,
   * Events), auth, then a pooled agent.
   */
  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    const priority = requestPriority(context.getUrl());
    await this.rateLimiter?.acquire(priority);
    await super.applySecurityAuthentication(context);
    context.setHeaderParam('User-Agent', USER_AGENT);
    const agent = context.getAgent();
    // the limiter's priority ends where the socket pool begins: an agent serves its queue in arrival
    // order, so lease renewals and node writes get their own sockets and never wait behind evictions
    if (agent) context.setAgent(this.pooled(POOL[priority], agent, this.poolSockets(priority)));
    if (!context.getSignal()) context.setSignal(AbortSignal.timeout(this.requestTimeoutMs));
  }

  private poolSockets(priority: RequestPriority): number {
    return priority === 'lease' ? LEASE_SOCKETS : this.maxSockets;
  }

  /** Called by Watch (and exec/log helpers): watches share a separate keep-alive pool with no cap. */
  override async applyToFetchOptions(opts: RequestOptions): Promise<RequestInit> {
    const init = await super.applyToFetchOptions(opts);
    (init.headers as Headers | undefined)?.set('User-Agent', USER_AGENT);
    const agent = init.agent;
    if (agent instanceof http.Agent) init.agent = this.pooled('watch', agent, Infinity);
    return init;
  }

  /** Closes every pooled connection (call on shutdown and at the end of tests). */
  destroy(): void {
    for (const agent of this.pools.values()) agent.destroy();
    this.pools.clear();
  }

  /**
   * Replaces the per-request agent with one long-lived keep-alive agent built from the same TLS options.
   * Proxy agents (socks/hpagent subclasses) are left alone: they manage their own tunnels.
   */
  private pooled(pool: string, fresh: AnyAgent, maxSockets: number): AnyAgent {
    const ctor = fresh.constructor;
    if (ctor !== http.Agent && ctor !== https.Agent) return fresh;
    const existing = this.pools.get(pool);
    if (existing && existing.constructor === ctor) return existing;
    const base = (fresh as AnyAgent & { options?: https.AgentOptions }).options ?? {};
    const options = {
      ...base,
      // one TLS context for the pool: without it every new socket parses the CA bundle and the client
      // key again (~1.5 ms of CPU each; a drain of 110 pods opens ~100 sockets at once)
      ...(ctor === https.Agent && { secureContext: tlsContext(base) }),
      keepAlive: true,
      keepAliveMsecs: 30_000,
      maxSockets,
      scheduling: 'lifo' as const,
    };
    const agent = ctor === https.Agent ? new https.Agent(options) : new http.Agent(options);
    this.pools.set(pool, agent);
    return agent;
  }
}
/** The TLS context of the pool's sockets, from the options client-node's agent was given. */
function tlsContext(options: https.AgentOptions): tls.SecureContext {
  const { ca, cert, key, pfx, passphrase } = options;
  return tls.createSecureContext({ ca, cert, key, pfx, passphrase });
}

/**
 * client-node's last resort when it finds no KUBECONFIG, no ~/.kube/config and no service account:
 * `http://localhost:8080`, whose every request then fails with "HTTP protocol is not allowed when
 * skipTLSVerify is not set or false", which tells an operator nothing.
 */
function isNothingFound(kc: KubeConfig): boolean {
  const cluster = kc.getCurrentCluster();
  return cluster?.name === 'cluster' && cluster.server === 'http://localhost:8080' && !cluster.skipTLSVerify;
}

/** Builds the client configuration: explicit server, kubeconfig file, in-cluster, else the default chain. */
export function loadKubeConfig(source: KubeConfigSource = {}): KeepAliveKubeConfig {
  const kc = new KeepAliveKubeConfig();
  if (source.server) {
    const insecure = source.server.url.startsWith('http:');
    kc.loadFromOptions({
      clusters: [{ name: 'default', server: source.server.url, skipTLSVerify: insecure }],
      users: [{ name: 'default', ...(source.server.token ? { token: source.server.token } : {}) }],
      contexts: [{ name: 'default', cluster: 'default', user: 'default' }],
      currentContext: 'default',
    });
  } else if (source.kubeconfigPath) {
    kc.loadFromFile(source.kubeconfigPath);
  } else if (source.inCluster) {
    kc.loadFromCluster();
  } else {
    kc.loadFromDefault();
    if (isNothingFound(kc)) throw new ConfigError([NO_CREDENTIALS]);
  }
  kc.configureClient(source.rateLimiter, source.maxSockets, source.requestTimeoutMs);
  return kc;
}
