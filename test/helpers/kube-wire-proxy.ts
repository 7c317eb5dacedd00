/**
 * A recording, fault-injecting HTTP proxy in front of a real API server: plain HTTP on 127.0.0.1 for the
 * clients under test, TLS with the kubeconfig's credentials upstream. It keeps the same request log and
 * fault injector as the API simulator (`requests`, `faults`), so a test that counts the daemon's calls or
 * injects a 500, a 429 or a cut watch runs unchanged on both servers.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type * as k8s from '@kubernetes/client-node';
import { FaultInjector } from '../../src/sandbox/kube-api/faults.js';
import { sendError } from '../../src/sandbox/kube-api/http-util.js';
import { RequestLog } from '../../src/sandbox/kube-api/request-log.js';
import { ApiError, reasonForCode } from '../../src/sandbox/kube-api/status.js';

/** What tests observe and steer on the wire: the simulator, or this proxy in front of a real server. */
export interface KubeWire {
  readonly url: string;
  readonly requests: RequestLog;
  readonly faults: FaultInjector;
}

/** A running proxy. */
export interface KubeWireProxy extends KubeWire {
  stop(): Promise<void>;
}

/** Starts the proxy for the current cluster of `kc` (a real API server). */
export async function startKubeWireProxy(kc: k8s.KubeConfig): Promise<KubeWireProxy> {
  const upstream = new URL(kc.getCurrentCluster()?.server ?? '');
  const tls: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(tls);
  const agent = new https.Agent({ ...tls, keepAlive: true, maxSockets: 128 } as https.AgentOptions);
  const requests = new RequestLog(50_000);
  const faults = new FaultInjector();
  const server = http.createServer((req, res) => void forward(req, res));
  server.keepAliveTimeout = 30_000;

  async function forward(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query = q < 0 ? '' : url.slice(q + 1);
    const method = req.method ?? 'GET';
    let recorded = false;
    const record = (): void => {
      if (recorded) return;
      recorded = true;
      requests.logRequest({
        method,
        path,
        query,
        contentType: req.headers['content-type'] ?? '',
        status: res.statusCode,
        at: Date.now(),
        userAgent: req.headers['user-agent'] ?? '',
      });
    };
    res.on('finish', record);
    res.on('close', record);
    const fault = faults.take(method, path, req.headers['user-agent'] ?? '');
    if (fault?.latencyMs) await new Promise((r) => setTimeout(r, fault.latencyMs));
    if (fault?.status) {
      req.resume();
      const retry = fault.retryAfterSeconds;
      const message = fault.message ?? `injected fault: ${fault.status}`;
      const details = retry ? { retryAfterSeconds: retry } : undefined;
      sendError(res, new ApiError(fault.status, reasonForCode(fault.status), message, details));
      return;
    }
    const headers = { ...req.headers, host: upstream.host };
    delete headers['authorization'];
    const up = https.request(
      { ...tls, agent, host: upstream.hostname, port: upstream.port, method, path: url, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        // Node holds written headers until the first body byte; a watch's first byte may come minutes
        // later, and a client waits for the headers before it counts the watch as started.
        res.flushHeaders();
        answer.pipe(res);
        if (/[?&]watch=(1|true)/.test(query)) {
          const uncut = faults.onCut((pattern) => {
            if (!pattern || pattern.test(path)) res.destroy();
          });
          res.on('close', () => {
            uncut();
            answer.destroy();
          });
        }
      },
    );
    up.on('error', () => {
      if (!res.headersSent) sendError(res, new ApiError(502, 'InternalError', 'upstream unreachable'));
      else res.destroy();
    });
    res.on('close', () => up.destroy());
    req.pipe(up);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    faults,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
