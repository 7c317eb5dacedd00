/** Status bodies exactly as a real API server writes them. */

/** One cause in `details.causes`. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** `details` of a Status. */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** A failure the simulator answers with a Status body. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The Status body for this error. */
  body(): Record<string, unknown> {
    const body: Record<string, unknown> = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
    };
    if (this.reason) body['reason'] = this.reason;
    if (this.details) body['details'] = this.details;
    body['code'] = this.code;
    return body;
  }
}

/** Names an object in messages: `pods "x"` or `leases.coordination.k8s.io "x"`. */
export function qualified(plural: string, group: string, name: string): string {
  return `${group ? `${plural}.${group}` : plural} "${name}"`;
}

/** 404 NotFound. */
export function notFound(plural: string, group: string, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${qualified(plural, group, name)} not found`, {
    name,
    ...(group ? { group } : {}),
    kind: plural,
  });
}

/** 409 AlreadyExists. */
export function alreadyExists(plural: string, group: string, name: string): ApiError {
  return new ApiError(409, 'AlreadyExists', `${qualified(plural, group, name)} already exists`, {
    name,
    ...(group ? { group } : {}),
    kind: plural,
  });
}

/** 409 Conflict with the real optimistic-concurrency message. */
export function conflict(plural: string, group: string, name: string, why?: string): ApiError {
  const text =
    why ?? 'the object has been modified; please apply your changes to the latest version and try again';
  return new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified(plural, group, name)}: ${text}`,
    {
      name,
      ...(group ? { group } : {}),
      kind: plural,
    },
  );
}

/** 422 Invalid with field causes. */
export function invalid(kind: string, group: string, name: string, causes: StatusCause[]): ApiError {
  const list = causes.map((c) => `${c.field ?? ''}: ${c.message ?? ''}`).join(', ');
  const shown = causes.length > 1 ? `[${list}]` : list;
  return new ApiError(422, 'Invalid', `${kind}${group ? `.${group}` : ''} "${name}" is invalid: ${shown}`, {
    ...(name ? { name } : {}),
    ...(group ? { group } : {}),
    kind,
    causes,
  });
}

/** 400 BadRequest. */
export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

/** 500 InternalError. */
export function internalError(message: string): ApiError {
  return new ApiError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
}

/** 405 MethodNotAllowed. */
export function methodNotAllowed(): ApiError {
  return new ApiError(
    405,
    'MethodNotAllowed',
    'the server does not allow this method on the requested resource',
  );
}

/** Reason string a real server uses for a status code (faults). */
export function reasonForCode(code: number): string {
  const reasons: Record<number, string> = {
    400: 'BadRequest',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'NotFound',
    409: 'Conflict',
    410: 'Expired',
    422: 'Invalid',
    429: 'TooManyRequests',
    500: 'InternalError',
    503: 'ServiceUnavailable',
    504: 'Timeout',
  };
  return reasons[code] ?? 'Unknown';
}
