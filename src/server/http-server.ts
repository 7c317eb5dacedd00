/** The tiny HTTP server: /healthz (loops alive), /readyz (checks pass), /metrics (prom-client). */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { LivenessRegistry, ReadinessRegistry } from './health-registry.js';

/** What the server reports on. */
export interface HttpServerDeps {
  readonly registry: Registry;
  readonly liveness: LivenessRegistry;
  readonly readiness: ReadinessRegistry;
  readonly logger: Logger;
  /** Serve /metrics only (the extra listener on NTH's PROMETHEUS_SERVER_PORT). */
  readonly metricsOnly?: boolean;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Serves the probe and metrics endpoints; start() returns the bound port. */
export class HttpServer {
  private server: Server | undefined;

  constructor(private readonly deps: HttpServerDeps) {}

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, { error: 'method not allowed' });
      return;
    }
    if (this.deps.metricsOnly && path !== '/metrics') {
      sendJson(res, 404, { error: 'not found', paths: ['/metrics'] });
    } else if (path === '/healthz') {
      const live = this.deps.liveness.check();
      sendJson(res, live.alive ? 200 : 503, { status: live.alive ? 'ok' : 'stuck', loops: live.loops });
    } else if (path === '/readyz') {
      const ready = this.deps.readiness.check();
      sendJson(res, ready.ready ? 200 : 503, {
        status: ready.ready ? 'ready' : 'not ready',
        checks: ready.checks,
      });
    } else if (path === '/metrics') {
      const text = await this.deps.registry.metrics();
      res.writeHead(200, { 'content-type': this.deps.registry.contentType });
      res.end(text);
    } else {
      sendJson(res, 404, { error: 'not found', paths: ['/healthz', '/readyz', '/metrics'] });
    }
  }

  /** Listens on host:port (port 0 picks a free one) and resolves with the bound port. */
  async start(port: number, host = '0.0.0.0'): Promise<number> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        this.deps.logger.error({ err, path: req.url }, 'http handler failed');
        if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
        else res.destroy();
      });
    });
    server.requestTimeout = 10_000;
    server.headersTimeout = 5_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const bound = (server.address() as AddressInfo).port;
    this.deps.logger.info({ port: bound, host }, 'http server listening');
    return bound;
  }

  /** Stops listening and closes open connections. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
