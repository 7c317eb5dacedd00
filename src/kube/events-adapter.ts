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
import { regardingUidReader, type RegardingUid } from './regarding-uid.js';

/** The one client-node call the adapter makes (narrow, so tests can pass a recording stand-in). */
export interface EventsApi {
  createNamespacedEvent(param: { namespace: string; body: object }): Promise<unknown>;
}

/** How long a looked-up uid is reused (a node re-created under the same name gets a new one). */
const UID_TTL_MS = 10 * 60_000;
const UID_CACHE_MAX = 1000;

/**
 * Creates Events with events.k8s.io/v1; maps API errors to our typed errors. The Event's `regarding`
 * carries the object's uid, looked up once per object (cached): `kubectl describe node` and
 * `kubectl describe deployment` select Events by uid, so without it they would not show ours.
 */
export class KubeEventsAdapter implements KubeEventSink {
  private readonly uids = new Map<string, { readonly uid: string; readonly atMs: number }>();

  constructor(
    private readonly api: EventsApi,
    private readonly uidOf: RegardingUid = async () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** Builds the adapter from a KubeConfig. */
  static fromKubeConfig(kc: KubeConfig): KubeEventsAdapter {
    return new KubeEventsAdapter(kc.makeApiClient(EventsV1Api), regardingUidReader(kc));
  }

  /** Creates one Event; rejects with a typed error. */
  async createEvent(e: KubeEventBody): Promise<void> {
    const uid = e.regarding.uid ?? (await this.cachedUid(e.regarding));
    const body = toV1Event(uid ? { ...e, regarding: { ...e.regarding, uid } } : e);
    try {
      await this.api.createNamespacedEvent({ namespace: e.namespace, body });
    } catch (err) {
      throw mapEventError(err);
    }
  }

  private async cachedUid(r: KubeEventBody['regarding']): Promise<string | undefined> {
    const key = `${r.kind}/${r.namespace ?? ''}/${r.name}`;
    const hit = this.uids.get(key);
    if (hit && this.now() - hit.atMs < UID_TTL_MS) return hit.uid;
    const uid = await this.uidOf(r);
    if (uid === undefined) return undefined;
    if (this.uids.size >= UID_CACHE_MAX) this.uids.clear();
    this.uids.set(key, { uid, atMs: this.now() });
    return uid;
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
