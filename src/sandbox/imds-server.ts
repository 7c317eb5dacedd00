/**
 * An IMDSv2 simulator on node:http for tests and the sandbox: token PUT, the four notice paths, the
 * identity paths, and fault injection (latency, 5xx, malformed bodies, token expiry, hung or reset
 * connections). Notice shapes follow test/fixtures/imds.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** IMDS paths served. */
export const IMDS_PATHS = {
  token: '/latest/api/token',
  spot: '/latest/meta-data/spot/instance-action',
  rebalance: '/latest/meta-data/events/recommendations/rebalance',
  scheduled: '/latest/meta-data/events/maintenance/scheduled',
  lifecycle: '/latest/meta-data/autoscaling/target-lifecycle-state',
  instanceId: '/latest/meta-data/instance-id',
  instanceType: '/latest/meta-data/instance-type',
  localHostname: '/latest/meta-data/local-hostname',
  localIpv4: '/latest/meta-data/local-ipv4',
  instanceLifeCycle: '/latest/meta-data/instance-life-cycle',
  publicHostname: '/latest/meta-data/public-hostname',
  publicIpv4: '/latest/meta-data/public-ipv4',
  availabilityZone: '/latest/meta-data/placement/availability-zone',
  region: '/latest/meta-data/placement/region',
  identityDocument: '/latest/dynamic/instance-identity/document',
} as const;

/** Who the simulated instance is. */
export interface ImdsIdentity {
  readonly instanceId: string;
  readonly instanceType: string;
  readonly localHostname: string;
  readonly localIpv4: string;
  readonly availabilityZone: string;
  readonly region: string;
  /** `spot` (default), `on-demand` or `scheduled`. */
  readonly instanceLifeCycle: string;
  /** Absent (404, as IMDS answers) for an instance without a public address. */
  readonly publicHostname?: string;
  readonly publicIpv4?: string;
}

/** One scheduled maintenance entry, as IMDS serves it (dates like `02 Dec 2026 10:00:00 GMT`). */
export interface ImdsScheduledEvent {
  readonly NotBefore: string;
  readonly Code: string;
  readonly Description: string;
  readonly EventId: string;
  readonly NotAfter: string;
  readonly State: string;
  readonly NotBeforeDeadline?: string;
}

/** One request the simulator saw. */
export interface ImdsRequestRecord {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly token: 'none' | 'valid' | 'invalid';
  readonly atMs: number;
}

/** How the connection misbehaves: no answer to the token PUT (hop limit), no answer at all, or reset. */
export type ImdsNetworkFault = 'none' | 'hang-token' | 'hang-all' | 'reset';

/** Options for `startImdsServer`. */
export interface ImdsServerOptions {
  readonly host?: string;
  readonly port?: number;
  /** Serve GETs without a token (IMDSv1). Default false (IMDSv2 required). */
  readonly allowV1?: boolean;
  readonly identity?: Partial<ImdsIdentity>;
  /** Time source for token expiry. */
  readonly now?: () => number;
}

/** The running simulator. */
export interface ImdsServer {
  readonly url: string;
  readonly identity: ImdsIdentity;
  /** Every request, in order. */
  readonly requests: readonly ImdsRequestRecord[];
  /** Delay before every answer, ms. */
  latencyMs: number;
  setSpotAction(action: 'terminate' | 'stop' | 'hibernate', timeIso: string): void;
  setRebalance(noticeTimeIso: string): void;
  setScheduledEvents(events: readonly ImdsScheduledEvent[]): void;
  setTargetLifecycleState(state: string): void;
  /** Serves `body` at `path` verbatim (undefined: back to 404), e.g. a malformed notice. */
  setBody(path: string, body: string | undefined): void;
  /** Removes every notice (spot, rebalance, scheduled, lifecycle back to InService). */
  clearNotices(): void;
  /** Answers `status` (default 500) to the next `count` requests, or until cleared when omitted. */
  failRequests(options?: { status?: number; count?: number }): void;
  clearFailures(): void;
  /** Invalidates every token issued so far (the next GET with one gets 401). */
  expireTokens(): void;
  setNetworkFault(fault: ImdsNetworkFault): void;
  /** Requests to one path. */
  requestsTo(path: string): ImdsRequestRecord[];
  stop(): Promise<void>;
}

const NOT_FOUND_HTML =
  '<?xml version="1.0" encoding="iso-8859-1"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"\n' +
  '\t"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml" ' +
  'xml:lang="en" lang="en">\n <head>\n  <title>404 - Not Found</title>\n </head>\n <body>\n  <h1>404 - Not Found</h1>\n' +
  ' </body>\n</html>\n';

function defaultIdentity(input: Partial<ImdsIdentity> = {}): ImdsIdentity {
  const az = input.availabilityZone ?? 'us-east-1a';
  const ip = input.localIpv4 ?? '10.0.0.1';
  return {
    instanceId: 'i-0123456789abcdef0',
    instanceType: 'm5.large',
    localHostname: `ip-${ip.replaceAll('.', '-')}.ec2.internal`,
    region: az.replace(/[a-z]$/, ''),
    instanceLifeCycle: 'spot',
    ...input,
    availabilityZone: az,
    localIpv4: ip,
  };
}

function identityBodies(id: ImdsIdentity): Map<string, string> {
  const doc = {
    accountId: '000000000000',
    architecture: 'x86_64',
    availabilityZone: id.availabilityZone,
    imageId: 'ami-0abcdef1234567890',
    instanceId: id.instanceId,
    instanceType: id.instanceType,
    pendingTime: '2026-11-29T08:00:00Z',
    privateIp: id.localIpv4,
    region: id.region,
    version: '2017-09-30',
  };
  return new Map([
    [IMDS_PATHS.instanceId, id.instanceId],
    [IMDS_PATHS.instanceType, id.instanceType],
    [IMDS_PATHS.localHostname, id.localHostname],
    [IMDS_PATHS.localIpv4, id.localIpv4],
    [IMDS_PATHS.availabilityZone, id.availabilityZone],
    [IMDS_PATHS.region, id.region],
    [IMDS_PATHS.instanceLifeCycle, id.instanceLifeCycle],
    ...(id.publicHostname ? [[IMDS_PATHS.publicHostname, id.publicHostname] as const] : []),
    ...(id.publicIpv4 ? [[IMDS_PATHS.publicIpv4, id.publicIpv4] as const] : []),
    [IMDS_PATHS.identityDocument, JSON.stringify(doc, null, 2)],
  ]);
}

function noticeDefaults(): Map<string, string> {
  return new Map([
    [IMDS_PATHS.scheduled, '[]'],
    [IMDS_PATHS.lifecycle, 'InService'],
  ]);
}

/** Starts the simulator on 127.0.0.1 and an ephemeral port unless told otherwise. */
export async function startImdsServer(options: ImdsServerOptions = {}): Promise<ImdsServer> {
  const now = options.now ?? Date.now;
  const identity = defaultIdentity(options.identity);
  const bodies = new Map([...identityBodies(identity), ...noticeDefaults()]);
  const tokens = new Map<string, number>();
  const requests: ImdsRequestRecord[] = [];
  const sockets = new Set<Socket>();
  const state = {
    latencyMs: 0,
    failure: undefined as { status: number; left: number } | undefined,
    network: 'none' as ImdsNetworkFault,
  };

  const tokenState = (req: IncomingMessage): ImdsRequestRecord['token'] => {
    const t = req.headers['x-aws-ec2-metadata-token'];
    if (typeof t !== 'string') return 'none';
    const exp = tokens.get(t);
    return exp !== undefined && exp > now() ? 'valid' : 'invalid';
  };

  const route = (req: IncomingMessage, path: string): { status: number; body: string; headers?: object } => {
    if (req.method === 'PUT' && path === IMDS_PATHS.token) {
      const ttl = Number(req.headers['x-aws-ec2-metadata-token-ttl-seconds']);
      if (req.headers['x-forwarded-for'] !== undefined) return { status: 403, body: 'Forbidden' };
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > 21600) return { status: 400, body: 'Bad Request' };
      const token = randomBytes(32).toString('base64url');
      tokens.set(token, now() + ttl * 1000);
      return { status: 200, body: token, headers: { 'x-aws-ec2-metadata-token-ttl-seconds': String(ttl) } };
    }
    if (req.method !== 'GET') return { status: 405, body: 'Method Not Allowed' };
    const auth = tokenState(req);
    if (auth === 'invalid' || (auth === 'none' && !options.allowV1))
      return { status: 401, body: 'Unauthorized' };
    const body = bodies.get(path);
    return body === undefined ? { status: 404, body: NOT_FOUND_HTML } : { status: 200, body };
  };

  const answer = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const isToken = path === IMDS_PATHS.token;
    const record = (status: number): void => {
      requests.push({ method: req.method ?? '', path, status, token: tokenState(req), atMs: now() });
    };
    if (state.network === 'reset') return void (record(0), req.socket.destroy());
    if (state.network === 'hang-all' || (state.network === 'hang-token' && isToken)) return record(0);
    if (state.latencyMs > 0) await new Promise((r) => setTimeout(r, state.latencyMs));
    let out = route(req, path);
    if (state.failure) {
      out = { status: state.failure.status, body: 'Internal Server Error' };
      if (--state.failure.left <= 0) state.failure = undefined;
    }
    record(out.status);
    const type = out.status === 404 ? 'text/html' : 'text/plain';
    res.writeHead(out.status, { 'content-type': type, server: 'EC2ws', ...out.headers });
    res.end(out.body);
  };

  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => void answer(req, res).catch(() => res.destroy()));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const { port } = server.address() as AddressInfo;

  const setJson = (path: string, value: unknown): void => void bodies.set(path, JSON.stringify(value));
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    identity,
    requests,
    get latencyMs() {
      return state.latencyMs;
    },
    set latencyMs(ms: number) {
      state.latencyMs = ms;
    },
    setSpotAction: (action, time) => setJson(IMDS_PATHS.spot, { action, time }),
    setRebalance: (noticeTime) => setJson(IMDS_PATHS.rebalance, { noticeTime }),
    setScheduledEvents: (events) => setJson(IMDS_PATHS.scheduled, events),
    setTargetLifecycleState: (s) => void bodies.set(IMDS_PATHS.lifecycle, s),
    setBody: (path, body) => void (body === undefined ? bodies.delete(path) : bodies.set(path, body)),
    clearNotices: () => {
      bodies.delete(IMDS_PATHS.spot);
      bodies.delete(IMDS_PATHS.rebalance);
      for (const [k, v] of noticeDefaults()) bodies.set(k, v);
    },
    failRequests: (o = {}) => {
      state.failure = { status: o.status ?? 500, left: o.count ?? Number.POSITIVE_INFINITY };
    },
    clearFailures: () => void (state.failure = undefined),
    expireTokens: () => tokens.clear(),
    setNetworkFault: (fault) => void (state.network = fault),
    requestsTo: (path) => requests.filter((r) => r.path === path),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Formats ms since epoch the way IMDS scheduled events do: `02 Dec 2026 10:00:00 GMT`. */
export function formatImdsDate(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  const time = `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
  return `${p(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${time} GMT`;
}
