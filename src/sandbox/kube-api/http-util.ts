/** Small helpers for reading requests and writing JSON responses. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, badRequest } from './status.js';

/** Reads the whole request body as text. */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Parses a JSON body; empty bodies give undefined; bad JSON gives 400. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw badRequest(`json: ${(err as Error).message}`);
  }
}

/** Writes a JSON text body with a status code. */
export function sendJsonText(
  res: ServerResponse,
  code: number,
  json: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(json),
    'Cache-Control': 'no-cache, private',
    ...headers,
  });
  res.end(json);
}

/** Writes a JSON value. */
export function sendJson(
  res: ServerResponse,
  code: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  sendJsonText(res, code, JSON.stringify(body), headers);
}

/** Writes an ApiError as a Status body (with Retry-After when the details carry one). */
export function sendError(res: ServerResponse, err: ApiError): void {
  const retry = err.details?.retryAfterSeconds;
  sendJson(res, err.code, err.body(), retry ? { 'Retry-After': String(retry) } : {});
}

/** Media type of a request without parameters. */
export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** Turns anything thrown into an ApiError (unknown errors become 500). */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ApiError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
}
