/**
 * An HTTP proxy in front of fauxqs that fails chosen SQS actions (AWS JSON protocol: the action is the
 * `x-amz-target` header, e.g. AmazonSQS.DeleteMessage) with a 5xx or a throttling error, and counts
 * every call by action and status. fauxqs itself cannot inject faults.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One injected failure rule. */
export interface SqsFault {
  /** 500 InternalError (default) or 400 ThrottlingException. */
  readonly kind?: 'internal' | 'throttling';
  /** Fail this many calls, then pass (default: until cleared). */
  readonly count?: number;
}

/** One proxied call. */
export interface SqsCall {
  readonly action: string;
  readonly status: number;
  readonly injected: boolean;
}

/** A running proxy. */
export interface SqsFaultProxy {
  readonly endpoint: string;
  readonly calls: readonly SqsCall[];
  fail(action: string, fault?: SqsFault): void;
  clear(action?: string): void;
  /** Calls of one action (optionally only successful ones). */
  count(action: string, status?: number): number;
  stop(): Promise<void>;
}

const ERRORS = {
  internal: { status: 500, type: 'com.amazonaws.sqs#InternalError', message: 'injected internal error' },
  throttling: { status: 400, type: 'ThrottlingException', message: 'Rate exceeded' },
} as const;

/** Starts the proxy on 127.0.0.1 in front of `target` (http://127.0.0.1:PORT). */
export async function startSqsFaultProxy(target: string): Promise<SqsFaultProxy> {
  const upstream = new URL(target);
  const faults = new Map<string, { kind: 'internal' | 'throttling'; left: number }>();
  const calls: SqsCall[] = [];
  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer, action: string): void => {
    const out = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (up) => {
        calls.push({ action, status: up.statusCode ?? 0, injected: false });
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    out.end(body);
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = req.headers['x-amz-target'];
      const action = (typeof target === 'string' ? target : '').replace(/^AmazonSQS\./, '');
      const fault = faults.get(action);
      if (fault && fault.left > 0) {
        if (--fault.left <= 0) faults.delete(action);
        const e = ERRORS[fault.kind];
        calls.push({ action, status: e.status, injected: true });
        res.writeHead(e.status, {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-query-error': `${fault.kind === 'throttling' ? 'RequestThrottled' : 'InternalError'};Sender`,
        });
        res.end(JSON.stringify({ __type: e.type, message: e.message }));
        return;
      }
      forward(req, res, Buffer.concat(chunks), action);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    fail: (action, fault = {}) =>
      void faults.set(action, {
        kind: fault.kind ?? 'internal',
        left: fault.count ?? Number.POSITIVE_INFINITY,
      }),
    clear: (action) => (action === undefined ? faults.clear() : void faults.delete(action)),
    count: (action, status) =>
      calls.filter((c) => c.action === action && (status === undefined || c.status === status)).length,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
