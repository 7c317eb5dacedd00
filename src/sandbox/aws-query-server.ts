/**
 * EC2 and Auto Scaling Query API simulator on one node:http server (form-encoded POST, XML answers),
 * for tests and the sandbox. Point `@aws-sdk/client-ec2` and `@aws-sdk/client-auto-scaling` at `url`
 * with region us-east-1, any static credentials and `maxAttempts: 1`. Signatures are not checked.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { asgError, ec2Error } from './aws-query-xml.js';
import {
  AwsWorld,
  QueryApiError,
  serviceOf,
  type CompletedLifecycleAction,
  type SimHook,
  type SimInstance,
  type SimInstanceInput,
} from './aws-query-world.js';

export type { CompletedLifecycleAction, SimHook, SimInstance, SimInstanceInput } from './aws-query-world.js';

/** One request the simulator answered. */
export interface QueryCall {
  readonly service: 'ec2' | 'autoscaling';
  readonly action: string;
  /** Every form parameter except Action and Version. */
  readonly params: Readonly<Record<string, string>>;
  readonly status: number;
  readonly errorCode?: string;
  readonly atMs: number;
}

/** An injected failure for one action: `times` calls, or until cleared when omitted. */
export interface QueryFault {
  readonly code: string;
  readonly status: number;
  readonly message?: string;
  readonly times?: number;
}

/** The running simulator. */
export interface AwsQueryServer {
  /** Endpoint for both SDK clients, e.g. http://127.0.0.1:PORT. */
  readonly url: string;
  /** The state behind the answers (instances, hooks, active and completed lifecycle actions). */
  readonly world: AwsWorld;
  /** Every request answered, in order. */
  readonly calls: readonly QueryCall[];
  /** Delay before every answer, ms. */
  latencyMs: number;
  addInstance(input: SimInstanceInput): SimInstance;
  updateInstance(instanceId: string, patch: Partial<Omit<SimInstance, 'instanceId'>>): SimInstance;
  setHook(hook: SimHook): void;
  /** Puts the instance into Terminating:Wait for the hook; returns the lifecycle action token. */
  startLifecycleAction(instanceId: string, hookName: string, token?: string): string;
  /** Completed (or timed-out) lifecycle actions, in order. */
  readonly completed: readonly CompletedLifecycleAction[];
  /** Moves the lifecycle clock forward (hook timeouts), on top of real time. */
  advanceLifecycleClock(ms: number): void;
  /** Calls of one action. */
  callsOf(action: string): QueryCall[];
  /** Makes `action` fail with this error code/status (for `times` calls, or until cleared). */
  fail(action: string, fault: QueryFault): void;
  clearFaults(): void;
  stop(): Promise<void>;
}

/** Options for `startAwsQueryServer`. */
export interface AwsQueryServerOptions {
  readonly host?: string;
  readonly port?: number;
  readonly latencyMs?: number;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts the simulator on 127.0.0.1 and an ephemeral port unless told otherwise. */
export async function startAwsQueryServer(options: AwsQueryServerOptions = {}): Promise<AwsQueryServer> {
  let skewMs = 0;
  const world = new AwsWorld(() => Date.now() + skewMs);
  const calls: QueryCall[] = [];
  const faults = new Map<string, { fault: QueryFault; left: number }>();
  const state = { latencyMs: options.latencyMs ?? 0 };

  const takeFault = (action: string): QueryFault | undefined => {
    const f = faults.get(action);
    if (!f) return undefined;
    if (--f.left <= 0) faults.delete(action);
    return f.fault;
  };

  const answer = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const form = Object.fromEntries(new URLSearchParams(await readBody(req)));
    const { Action: action = '', Version: _version, ...params } = form;
    const service = serviceOf(form);
    const requestId = randomUUID();
    if (state.latencyMs > 0) await new Promise((r) => setTimeout(r, state.latencyMs));
    let status = 200;
    let errorCode: string | undefined;
    let xml: string;
    try {
      const fault = takeFault(action);
      if (fault) throw new QueryApiError(fault.code, fault.status, fault.message ?? `injected ${fault.code}`);
      xml = world.handle(action, form, requestId);
    } catch (err) {
      const e = err instanceof QueryApiError ? err : new QueryApiError('InternalError', 500, String(err));
      status = e.status;
      errorCode = e.code;
      const type = e.status >= 500 ? 'Receiver' : 'Sender';
      xml =
        service === 'ec2'
          ? ec2Error(e.code, e.message, requestId)
          : asgError(e.code, e.message, requestId, type);
    }
    calls.push({ service, action, params, status, ...(errorCode ? { errorCode } : {}), atMs: Date.now() });
    res.writeHead(status, { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': requestId });
    res.end(xml);
  };

  const server = createServer((req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    answer(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    world,
    calls,
    get latencyMs() {
      return state.latencyMs;
    },
    set latencyMs(ms: number) {
      state.latencyMs = ms;
    },
    get completed() {
      return world.completed;
    },
    advanceLifecycleClock: (ms) => {
      skewMs += ms;
    },
    addInstance: (input) => world.addInstance(input),
    updateInstance: (id, patch) => world.updateInstance(id, patch),
    setHook: (hook) => world.setHook(hook),
    startLifecycleAction: (id, hook, token) => world.startLifecycleAction(id, hook, token),
    callsOf: (action) => calls.filter((c) => c.action === action),
    fail: (action, fault) => faults.set(action, { fault, left: fault.times ?? Number.POSITIVE_INFINITY }),
    clearFaults: () => faults.clear(),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
