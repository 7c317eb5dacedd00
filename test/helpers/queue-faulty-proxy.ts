/**
 * A small HTTP proxy in front of the SQS endpoint that answers 500 InternalError (AWS JSON protocol)
 * while told to: for a time window (or throttles, or resets the connection, for that window), or for the
 * next N calls of one operation (x-amz-target); or answers one operation with a chosen AWS error
 * (AccessDenied, InvalidClientTokenId…) until cleared; or, like SQS, refuses a request whose SigV4
 * credential scope names another region than the queue's.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The running proxy. */
export interface FaultyProxy {
  readonly url: string;
  /** Requests answered with an error, by operation (e.g. ReceiveMessage). */
  readonly failed: Map<string, number>;
  /** Requests passed through, by operation. */
  readonly passed: Map<string, number>;
  /**
   * Fails every request for `ms` from now: 500 InternalError, 400 ThrottlingException, a reset connection,
   * or no answer at all (`hang`: the connection stays open and silent, as behind a black hole).
   */
  failFor(ms: number, how?: TransientFault): void;
  /** Answers as SQS does when the signature is scoped to another region than `region` (the queue's). */
  requireSigningRegion(region: string): void;
  /** Fails the next `times` calls of `operation`. */
  failNext(operation: string, times: number): void;
  /** Answers every call of `operation` with this AWS error until `clearErrors()`. */
  answerWith(operation: string, error: InjectedAwsError): void;
  clearErrors(): void;
  stop(): Promise<void>;
}

/** How `failFor` fails a request. */
export type TransientFault = 'internal' | 'throttle' | 'reset' | 'hang';

/** An AWS error as SQS's JSON protocol sends it (code as in x-amzn-query-error). */
export interface InjectedAwsError {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

/** AccessDenied as SQS answers a principal without the IAM action. */
export function accessDenied(action: string): InjectedAwsError {
  return {
    status: 403,
    code: 'AccessDenied',
    message: `User: arn:aws:sts::000000000000:assumed-role/spot-handler/x is not authorized to perform: ${action} on resource: arn:aws:sqs:us-east-1:000000000000:q because no identity-based policy allows the ${action} action`,
  };
}

/** The region of a SigV4 Authorization header: `Credential=AKID/20260101/us-east-1/sqs/aws4_request`. */
function signingRegion(authorization: string | undefined): string | undefined {
  return /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(authorization ?? '')?.[1];
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** Starts the proxy on 127.0.0.1 in front of `target` (http://host:port). */
export async function startFaultyProxy(target: string): Promise<FaultyProxy> {
  const upstream = new URL(target);
  const failed = new Map<string, number>();
  const passed = new Map<string, number>();
  const nextFailures = new Map<string, number>();
  let failUntil = 0;
  let failHow: TransientFault = 'internal';
  let region: string | undefined;
  const sticky = new Map<string, InjectedAwsError>();
  const throttled: InjectedAwsError = { status: 400, code: 'ThrottlingException', message: 'Rate exceeded' };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const op = String(req.headers['x-amz-target'] ?? '').replace(/^AmazonSQS\./, '') || 'unknown';
    const scope = signingRegion(req.headers.authorization);
    const wrongRegion: InjectedAwsError | undefined =
      region !== undefined && scope !== region
        ? {
            status: 403,
            code: 'SignatureDoesNotMatch',
            message: `Credential should be scoped to a valid region, not '${scope ?? ''}'. `,
          }
        : undefined;
    const now = Date.now();
    if (now < failUntil && (failHow === 'reset' || failHow === 'hang')) {
      bump(failed, op);
      if (failHow === 'reset') req.socket.destroy();
      else req.resume(); // read the request, never answer
      return;
    }
    const error =
      wrongRegion ?? sticky.get(op) ?? (now < failUntil && failHow === 'throttle' ? throttled : undefined);
    if (error) {
      bump(failed, op);
      req.resume();
      res.writeHead(error.status, {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-query-error': `${error.code};Sender`,
      });
      res.end(JSON.stringify({ __type: `com.amazonaws.sqs#${error.code}`, message: error.message }));
      return;
    }
    const left = nextFailures.get(op) ?? 0;
    if (Date.now() < failUntil || left > 0) {
      if (left > 0) nextFailures.set(op, left - 1);
      bump(failed, op);
      req.resume();
      res.writeHead(500, {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-query-error': 'InternalError;Receiver',
      });
      res.end(JSON.stringify({ __type: 'com.amazonaws.sqs#InternalError', message: 'injected failure' }));
      return;
    }
    bump(passed, op);
    const out = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  };
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    failed,
    passed,
    failFor: (ms, how = 'internal') => {
      failUntil = Date.now() + ms;
      failHow = how;
    },
    requireSigningRegion: (r) => (region = r),
    failNext: (operation, times) => nextFailures.set(operation, times),
    answerWith: (operation, error) => sticky.set(operation, error),
    clearErrors: () => sticky.clear(),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
