/** Adapter: the KubeEventSink port on @kubernetes/client-node's events.k8s.io/v1 API (stack.md §2). */
import { ApiException, EventsV1Api, V1MicroTime, type KubeConfig } from '@kubernetes/client-node';
import {
  ConflictError,
  NotFoundError,
  PermanentError,
  ThrottledError,
  TransientError,
  type SpotHandlerError,
} from '../errors.js';
import type { KubeEventBody, KubeEventSink } from '../report/kube-event-body.js';
import { parseStatus } from './map-error.js';

/** The one client-node call the adapter makes (narrow, so tests can pass a recording stand-in). */
export interface EventsApi {
  createNamespacedEvent(param: { namespace: string; body: object }): Promise<unknown>;
}

/** Creates Events with events.k8s.io/v1; maps API errors to our typed errors. */
export class KubeEventsAdapter implements KubeEventSink {
  constructor(private readonly api: EventsApi) {}

  /** Builds the adapter from a KubeConfig. */
  static fromKubeConfig(kc: KubeConfig): KubeEventsAdapter {
    return new KubeEventsAdapter(kc.makeApiClient(EventsV1Api));
  }

  /** Creates one Event; rejects with a typed error. */
  async createEvent(e: KubeEventBody): Promise<void> {
    try {
      await this.api.createNamespacedEvent({ namespace: e.namespace, body: toV1Event(e) });
    } catch (err) {
      throw mapEventError(err);
    }
  }
}

/** The wire object: eventTime must be a V1MicroTime (6 fractional digits), or the server answers 422. */
export function toV1Event(e: KubeEventBody): object {
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: e.name, namespace: e.namespace, annotations: { ...e.annotations } },
    eventTime: new V1MicroTime(e.eventTimeMs),
    reportingController: e.reportingController,
    reportingInstance: e.reportingInstance,
    action: e.action,
    reason: e.reason,
    type: e.type,
    note: e.note,
    regarding: { ...e.regarding },
  };
}

/** Maps a client-node error to a typed error; the message carries the status, not the body. */
export function mapEventError(err: unknown): SpotHandlerError {
  const code = err instanceof ApiException ? err.code : undefined;
  // the Status reason and message (e.g. Forbidden: … cannot create resource "events"), never the raw body
  const status = err instanceof ApiException ? parseStatus(err.body) : undefined;
  const why = [status?.reason, status?.message?.slice(0, 300)].filter(Boolean).join(': ');
  const what = `create Event failed${code === undefined ? '' : ` (HTTP ${code}${why ? ` ${why}` : ''})`}`;
  if (code === undefined) return new TransientError(what, { cause: err });
  if (code === 404) return new NotFoundError(what, { cause: err });
  if (code === 409) return new ConflictError(what, { cause: err });
  if (code === 429) return new ThrottledError(what, { cause: err });
  if (code >= 500) return new TransientError(what, { cause: err });
  return new PermanentError(what, { cause: err });
}
