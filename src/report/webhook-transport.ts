/**
 * One HTTP POST for the webhook notifier, with node:http/https, an optional proxy (CONNECT tunnel via
 * https-proxy-agent, for both http and https targets) and a timeout driven by the injected clock.
 * Errors never carry the URL: the URL and headers are secrets (only status codes and error codes leave).
 */
import http from 'node:http';
import https from 'node:https';
import { HttpsProxyAgent } from 'https-proxy-agent';
import type { Clock } from '../clock.js';
import { TransientError } from '../errors.js';

/** What came back. */
export interface PostResult {
  readonly status: number;
  /** Retry-After in ms, when the server sent one in seconds. */
  readonly retryAfterMs?: number;
}

/** A request that did not get a response (network error, timeout). `code` is e.g. ECONNREFUSED. */
export class WebhookRequestError extends TransientError {
  readonly code: string;
  constructor(code: string) {
    // deliberately no `cause`: node's errors name host and port
    super(`webhook request failed: ${code}`);
    this.code = code;
  }
}

/** The port the notifier posts through (tests may pass a stateful fake). */
export interface WebhookTransport {
  post(
    url: URL,
    headers: Readonly<Record<string, string>>,
    body: string,
    timeoutMs: number,
  ): Promise<PostResult>;
}

/** The response body is read but bounded (and discarded): we only need the status. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/** node:http(s) transport; one agent per proxy, reused (keep-alive). */
export class HttpWebhookTransport implements WebhookTransport {
  private readonly agents = new Map<string, http.Agent>();

  constructor(
    private readonly clock: Clock,
    private readonly proxyFor: (url: URL) => string | undefined = () => undefined,
    /** Extra trusted CA certificates (PEM) for https targets; default: the system store. */
    private readonly tls: { readonly ca?: string } = {},
  ) {}

  /** POSTs the body; resolves with the status, rejects with WebhookRequestError. */
  post(
    url: URL,
    headers: Readonly<Record<string, string>>,
    body: string,
    timeoutMs: number,
  ): Promise<PostResult> {
    const timer = new AbortController();
    return new Promise<PostResult>((resolve, reject) => {
      const lib = url.protocol === 'https:' ? https : http;
      const req = lib.request(url, {
        method: 'POST',
        agent: this.agentFor(url),
        // per request: https-proxy-agent takes the target's TLS options from the request, not the agent
        ...(url.protocol === 'https:' && this.tls.ca !== undefined ? { ca: this.tls.ca } : {}),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'spot-handler',
          ...headers,
          'content-length': String(Buffer.byteLength(body)),
        },
      });
      const fail = (code: string): void => {
        req.destroy();
        reject(new WebhookRequestError(code));
      };
      req.on('error', (err: NodeJS.ErrnoException) => fail(err.code ?? 'network-error'));
      req.on('response', (res) => {
        let seen = 0;
        res.on('data', (chunk: Buffer) => {
          seen += chunk.length;
          if (seen > MAX_RESPONSE_BYTES) res.destroy();
        });
        res.on('error', () => undefined);
        res.on('close', () =>
          resolve({ status: res.statusCode ?? 0, ...retryAfter(res.headers['retry-after']) }),
        );
        res.resume();
      });
      this.clock.sleep(timeoutMs, timer.signal).then(
        () => fail('timeout'),
        () => undefined,
      );
      req.end(body);
    }).finally(() => timer.abort());
  }

  /** Closes pooled connections. */
  close(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }

  private agentFor(url: URL): http.Agent {
    const proxy = this.proxyFor(url) ?? '';
    const key = `${url.protocol}|${proxy}`;
    let agent = this.agents.get(key);
    if (!agent) {
      if (proxy) agent = new HttpsProxyAgent(proxy, { keepAlive: true });
      else if (url.protocol === 'https:') agent = new https.Agent({ keepAlive: true });
      else agent = new http.Agent({ keepAlive: true });
      this.agents.set(key, agent);
    }
    return agent;
  }
}

function retryAfter(header: string | undefined): { retryAfterMs?: number } {
  const secs = header === undefined ? NaN : Number(header);
  return Number.isFinite(secs) && secs >= 0 ? { retryAfterMs: secs * 1000 } : {};
}
