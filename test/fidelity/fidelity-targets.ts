/**
 * The two API servers a differential fidelity test talks to: our simulator (always) and a real
 * kube-apiserver (only when TEST_KUBECONFIG is set; `npm run test:real` sets it). Each target gets its
 * own namespace, a client-node KubeConfig and a raw HTTP helper that returns status and body as sent.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import * as k8s from '@kubernetes/client-node';
import { kubeConfigForUrl } from '../../src/sandbox/kube-api/client-config.js';
import type { KubeApiSimulator } from '../../src/sandbox/kube-api/server.js';
import { startKubeApiSimulator } from '../../src/sandbox/kube-api/server.js';

/** One raw HTTP answer. */
export interface RawResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
  /** The parsed JSON body (undefined when not JSON). */
  readonly body: Record<string, unknown> | undefined;
}

/** One API server under test. */
export interface FidelityTarget {
  readonly name: 'simulator' | 'real';
  readonly kc: k8s.KubeConfig;
  /** The simulator, undefined on the real server. */
  readonly sim: KubeApiSimulator | undefined;
  /** A fresh namespace for this run (exists when the target is returned). */
  readonly namespace: string;
  raw(method: string, path: string, body?: unknown, contentType?: string): Promise<RawResponse>;
  stop(): Promise<void>;
}

/** Why the real side is skipped, or undefined when TEST_KUBECONFIG is set. */
export const REAL_SKIP_REASON = process.env['TEST_KUBECONFIG']
  ? undefined
  : 'TEST_KUBECONFIG is not set: the real-server side runs under `npm run test:real`';

/** A unique namespace name for one run. */
export function uniqueNamespace(prefix = 'fidelity'): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}

async function rawRequest(
  kc: k8s.KubeConfig,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<RawResponse> {
  const server = kc.getCurrentCluster()?.server ?? '';
  const url = new URL(path, server);
  const options: https.RequestOptions = { method, headers: { Accept: 'application/json' } };
  await kc.applyToHTTPSOptions(options);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  if (payload !== undefined) {
    // Content-Length always: node sends a DELETE body with neither it nor chunked framing otherwise,
    // and a server then reads the body as the start of the next request
    const length = Buffer.byteLength(payload);
    options.headers = { ...options.headers, 'Content-Type': contentType, 'Content-Length': length };
  }
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: Record<string, unknown> | undefined;
        try {
          parsed = JSON.parse(text) as Record<string, unknown>;
        } catch {
          parsed = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: parsed });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(20_000, () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.end(payload);
  });
}

async function makeTarget(
  name: FidelityTarget['name'],
  kc: k8s.KubeConfig,
  sim: KubeApiSimulator | undefined,
): Promise<FidelityTarget> {
  const namespace = uniqueNamespace();
  const core = kc.makeApiClient(k8s.CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  return {
    name,
    kc,
    sim,
    namespace,
    raw: (method, path, body, contentType) => rawRequest(kc, method, path, body, contentType),
    stop: async () => {
      await core.deleteNamespace({ name: namespace }).catch(() => undefined);
      await sim?.stop();
    },
  };
}

/** Starts the simulator target. */
export async function startSimulatorTarget(): Promise<FidelityTarget> {
  const sim = await startKubeApiSimulator({ requestLogSize: 10_000 });
  try {
    return await makeTarget('simulator', kubeConfigForUrl(sim.url), sim);
  } catch (err) {
    await sim.stop();
    throw err;
  }
}

/** The real-server target from TEST_KUBECONFIG (call only when REAL_SKIP_REASON is undefined). */
export async function startRealTarget(): Promise<FidelityTarget> {
  const path = process.env['TEST_KUBECONFIG'];
  if (!path) throw new Error(REAL_SKIP_REASON);
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(path);
  return makeTarget('real', kc, undefined);
}

/** Both targets when the real server is available, else only the simulator. */
export async function startTargets(): Promise<FidelityTarget[]> {
  const sim = await startSimulatorTarget();
  if (REAL_SKIP_REASON) return [sim];
  try {
    return [sim, await startRealTarget()];
  } catch (err) {
    await sim.stop();
    throw err;
  }
}

/** Polls `check` until it returns a value other than undefined (or throws after `timeoutMs`). */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
