/**
 * A TCP proxy on 127.0.0.1 that can be taken down (connections reset, new ones refused) and brought back
 * on the same port: "the API server is unreachable" without losing the simulator's state.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** An HTTP request line seen going upstream (keep-alive connections carry several). */
export interface SeenRequest {
  readonly at: number;
  readonly method: string;
  readonly path: string;
}

/** A running proxy. */
export interface TcpProxy {
  readonly port: number;
  /** HTTP request lines seen from clients, in order (for "who called what" when several clients share a server). */
  readonly requests: readonly SeenRequest[];
  readonly url: string;
  /** True while accepting connections. */
  readonly isUp: boolean;
  /** Resets every open connection and stops listening (connection refused). */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a proxy to 127.0.0.1:targetPort on a free port. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const requests: SeenRequest[] = [];
  const REQUEST_LINE = /(?:^|\r\n)(GET|POST|PUT|PATCH|DELETE) (\S+) HTTP\/1\.1\r\n/g;
  let server: Server | undefined;
  let port = 0;
  const listen = async (): Promise<void> => {
    const s = createServer((client) => {
      const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
      for (const sock of [client, upstream]) {
        sockets.add(sock);
        sock.on('close', () => sockets.delete(sock));
        sock.on('error', () => undefined);
      }
      client.on('data', (chunk: Buffer) => {
        for (const m of chunk.toString('latin1').matchAll(REQUEST_LINE))
          requests.push({ at: Date.now(), method: m[1] ?? '', path: m[2] ?? '' });
      });
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => s.listen(port, '127.0.0.1', resolve));
    const addr = s.address();
    port = typeof addr === 'object' && addr ? addr.port : port;
    server = s;
  };
  const down = async (): Promise<void> => {
    const s = server;
    server = undefined;
    for (const sock of sockets) sock.resetAndDestroy();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await listen();
  return {
    get port() {
      return port;
    },
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    requests,
    get isUp() {
      return server !== undefined;
    },
    down,
    up: async () => {
      if (!server) await listen();
    },
    stop: down,
  };
}
