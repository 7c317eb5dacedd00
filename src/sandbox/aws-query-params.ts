/** Query API request parameters and the error the EC2 / Auto Scaling simulator answers with. */

/** An error the simulator answers with (code, HTTP status, message). */
export class QueryApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Form parameters of one request. */
export type QueryParams = Readonly<Record<string, string>>;

/** Numbered parameters `prefix.1`, `prefix.2`, … in order. */
export function listParam(params: QueryParams, prefix: string): string[] {
  const out: string[] = [];
  for (let i = 1; params[`${prefix}.${i}`] !== undefined; i++) out.push(params[`${prefix}.${i}`] ?? '');
  return out;
}
