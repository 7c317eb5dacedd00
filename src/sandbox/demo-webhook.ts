/** A local webhook receiver for the sandbox and scenario tests: records every POST body it gets. */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One received webhook. */
export interface ReceivedWebhook {
  readonly path: string;
  readonly body: string;
  /** The body parsed as JSON when it is JSON. */
  readonly json: unknown;
  readonly atMs: number;
}

/** A running receiver. */
export interface WebhookReceiver {
  /** Base URL, e.g. http://127.0.0.1:PORT */
  readonly url: string;
  readonly received: readonly ReceivedWebhook[];
  stop(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Starts a receiver on 127.0.0.1 and a free port; answers 200 to every POST. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      received.push({ path: req.url ?? '/', body, json: tryJson(body), atMs: Date.now() });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
