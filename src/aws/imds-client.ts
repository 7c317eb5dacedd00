/**
 * Our own IMDSv2 client on node:http (reference/stack.md §4: the SDK's client fetches a token per call,
 * opens new connections, has no default timeout and costs memory). Keep-alive agent, cached token
 * refreshed before expiry, one retry on 401 with a fresh token, per-request timeout.
 */
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { PermanentError, TransientError } from '../errors.js';

/** A successful read, or "not there" (no notice). */
export type ImdsResponse = { readonly status: 200; readonly body: string } | { readonly status: 404 };

/** Why an IMDS request failed; bounded (used as the `imdsPollErrors` reason label). */
export type ImdsFailureReason =
  'http_5xx' | 'http_4xx' | 'unauthorized' | 'timeout' | 'network' | 'too_large';

/** The cause attached to the TransientError / PermanentError the client throws. */
export class ImdsRequestError extends Error {
  constructor(
    readonly reason: ImdsFailureReason,
    message: string,
    readonly status?: number,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

/** The failure reason of an error the client threw (`network` for anything else). */
export function imdsFailureReason(err: unknown): ImdsFailureReason {
  if (err instanceof ImdsRequestError) return err.reason;
  const cause = err instanceof Error ? err.cause : undefined;
  return cause instanceof ImdsRequestError ? cause.reason : 'network';
}

/** Options for `ImdsClient`. */
export interface ImdsClientOptions {
  /** Base URL, e.g. http://169.254.169.254. */
  readonly endpoint: string;
  /** Per-request timeout, ms (default 2000). */
  readonly timeoutMs?: number;
  /** Token TTL asked for, seconds (1–21600, default 21600). */
  readonly tokenTtlSeconds?: number;
  /** Use IMDSv1 (no token) when the token cannot be had. Default false. */
  readonly allowV1Fallback?: boolean;
  /** Largest body accepted, bytes (default 1 MiB). */
  readonly maxBodyBytes?: number;
  /** Time source for token expiry (default Date.now). */
  readonly now?: () => number;
}

interface RawResponse {
  readonly status: number;
  readonly body: string;
  readonly headers: IncomingHttpHeaders;
}

const TOKEN_PATH = '/latest/api/token';
const REFRESH_BEFORE_MS = 60_000;

/** IMDSv2 client: `get(path)` returns 200 + body or 404, and throws typed errors otherwise. */
export class ImdsClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 4, maxFreeSockets: 4 });
  private readonly base: URL;
  private readonly timeoutMs: number;
  private readonly ttlSeconds: number;
  private readonly maxBodyBytes: number;
  private readonly now: () => number;
  private token: { value: string; expiresAtMs: number } | undefined;
  private tokenInFlight: Promise<string | undefined> | undefined;
  private tokenPutTimedOut = false;

  constructor(private readonly options: ImdsClientOptions) {
    this.base = new URL(options.endpoint);
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.ttlSeconds = options.tokenTtlSeconds ?? 21600;
    this.maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
    this.now = options.now ?? Date.now;
  }

  /** Reads one path. 404 is a value (no notice); 5xx, timeouts and network errors throw TransientError. */
  async get(path: string, signal?: AbortSignal): Promise<ImdsResponse> {
    let token = await this.currentToken(signal);
    let res = await this.send('GET', path, token ? { 'x-aws-ec2-metadata-token': token } : {}, signal);
    if (res.status === 401 && token !== undefined) {
      this.token = undefined;
      token = await this.currentToken(signal);
      res = await this.send('GET', path, token ? { 'x-aws-ec2-metadata-token': token } : {}, signal);
    }
    if (res.status === 200) return { status: 200, body: res.body };
    if (res.status === 404) return { status: 404 };
    throw statusError(`GET ${path}`, res.status);
  }

  /**
   * True while the last IMDSv2 token PUT timed out: the symptom of an IMDS hop limit of 1 seen from a
   * pod that is not on the host network (the answer is dropped one hop short).
   */
  get tokenTimedOut(): boolean {
    return this.tokenPutTimedOut;
  }

  /** Forgets the cached token (tests, or after the instance was stopped and started). */
  resetToken(): void {
    this.token = undefined;
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    this.agent.destroy();
  }

  private async currentToken(signal?: AbortSignal): Promise<string | undefined> {
    const t = this.token;
    const margin = Math.min(REFRESH_BEFORE_MS, (this.ttlSeconds * 1000) / 2);
    if (t && t.expiresAtMs - this.now() > margin) return t.value;
    this.tokenInFlight ??= this.fetchToken(signal).finally(() => (this.tokenInFlight = undefined));
    return this.tokenInFlight;
  }

  private async fetchToken(signal?: AbortSignal): Promise<string | undefined> {
    const ttl = { 'x-aws-ec2-metadata-token-ttl-seconds': String(this.ttlSeconds) };
    let res: RawResponse;
    try {
      res = await this.send('PUT', TOKEN_PATH, ttl, signal);
      this.tokenPutTimedOut = false;
    } catch (err) {
      if (!signal?.aborted) this.tokenPutTimedOut = imdsFailureReason(err) === 'timeout';
      if (this.options.allowV1Fallback && !signal?.aborted) return undefined;
      throw err;
    }
    if (res.status !== 200 || res.body.length === 0) {
      if (this.options.allowV1Fallback) return undefined;
      throw statusError(`PUT ${TOKEN_PATH}`, res.status);
    }
    const granted = Number(res.headers['x-aws-ec2-metadata-token-ttl-seconds']);
    const seconds = Number.isFinite(granted) && granted > 0 ? granted : this.ttlSeconds;
    this.token = { value: res.body, expiresAtMs: this.now() + seconds * 1000 };
    return res.body;
  }

  private send(
    method: string,
    path: string,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<RawResponse> {
    return new Promise<RawResponse>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      const req = request(new URL(path, this.base), { method, headers, agent: this.agent });
      let settled = false;
      const finish = (err: Error | undefined, value?: RawResponse): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(value as RawResponse);
      };
      const fail = (err: Error): void => {
        finish(err);
        req.destroy();
      };
      const timer = setTimeout(() => {
        fail(transient('timeout', `${method} ${path} timed out after ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      const onAbort = (): void => fail(signal?.reason as Error);
      signal?.addEventListener('abort', onAbort, { once: true });
      const network = (err: Error): void =>
        finish(transient('network', `${method} ${path}: ${err.message}`, err));
      req.on('error', network);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > this.maxBodyBytes) fail(transient('too_large', `${method} ${path}: body over limit`));
          else chunks.push(c);
        });
        res.on('error', network);
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          finish(undefined, { status: res.statusCode ?? 0, body, headers: res.headers });
        });
      });
      req.end();
    });
  }
}

function transient(reason: ImdsFailureReason, message: string, cause?: unknown): TransientError {
  return new TransientError(message, { cause: new ImdsRequestError(reason, message, undefined, { cause }) });
}

function statusError(what: string, status: number): TransientError | PermanentError {
  const message = `IMDS ${what} answered ${status}`;
  if (status >= 500 || status === 429) {
    return new TransientError(message, { cause: new ImdsRequestError('http_5xx', message, status) });
  }
  const reason = status === 401 ? 'unauthorized' : 'http_4xx';
  return new PermanentError(message, { cause: new ImdsRequestError(reason, message, status) });
}
