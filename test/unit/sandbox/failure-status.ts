/** The body a real API server answers a refused call with (metav1.Status, status Failure), for exact comparison. */
export function failureStatus(fields: {
  readonly message: string;
  readonly reason: string;
  readonly details?: Record<string, unknown>;
  readonly code: number;
}): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', ...fields };
}
