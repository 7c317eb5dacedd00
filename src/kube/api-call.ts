/** Runs one Kubernetes API call: counts it for `spot_handler_kube_api_requests_total` and maps its errors. */
import type { Metrics } from '../report/metrics.js';
import { httpStatusOf, mapKubeError } from './map-error.js';

/** The counter the adapters feed (a subset of Metrics, so tests can pass a small fake). */
export type ApiRequestCounter = Pick<Metrics, 'apiRequests'>;

/** Result class label: 2xx, 4xx, 5xx or error (no HTTP answer). */
export function codeClass(status: number | undefined): string {
  if (status === undefined) return 'error';
  return `${Math.floor(status / 100)}xx`;
}

/** Calls fn, counting the request by verb and result class; failures become typed errors naming `what`. */
export async function apiCall<T>(
  counter: ApiRequestCounter | undefined,
  verb: string,
  what: string,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    const value = await fn();
    counter?.apiRequests.inc({ verb, code: '2xx' });
    return value;
  } catch (err) {
    counter?.apiRequests.inc({ verb, code: codeClass(httpStatusOf(err)) });
    throw mapKubeError(err, what);
  }
}
