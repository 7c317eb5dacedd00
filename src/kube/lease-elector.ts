/**
 * Leader election on a coordination.k8s.io/v1 Lease, after client-go's leaderelection: acquire when the
 * lease is absent, released, expired or ours; renew every retry period; step down at once when no renew
 * succeeded within the renew deadline. Expiry is judged by local observation time (when we last saw the
 * record change), not by comparing our clock with the holder's renewTime, so clock skew does not matter.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { ConflictError, SetupError } from '../errors.js';
import type { Metrics } from '../report/metrics.js';

/** What a Lease holds (spec fields; times in ms since epoch). */
export interface LeaseSpec {
  /** Empty when released. */
  readonly holderIdentity: string;
  readonly leaseDurationSeconds: number;
  readonly acquireTimeMs: number;
  readonly renewTimeMs: number;
  readonly leaseTransitions: number;
}

/** A Lease as read, with its resourceVersion for optimistic concurrency. */
export interface LeaseRecord extends LeaseSpec {
  readonly resourceVersion: string;
}

/** The Lease calls the elector makes (src/kube/lease-store.ts implements them). */
export interface LeaseStore {
  /** The lease, or undefined when it does not exist. */
  get(): Promise<LeaseRecord | undefined>;
  /** Creates it; ConflictError when it already exists. */
  create(spec: LeaseSpec): Promise<LeaseRecord>;
  /** Replaces it; ConflictError when resourceVersion is stale. */
  replace(spec: LeaseSpec, resourceVersion: string): Promise<LeaseRecord>;
}

/** Timing, as client-go names it. */
export interface LeaseElectorOptions {
  readonly identity: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  readonly onStartedLeading?: () => void;
  readonly onStoppedLeading?: () => void;
}

/** Campaigns for and holds the leader lease. */
export class LeaseElector {
  private leader = false;
  private lastRenewMs = -Infinity;
  private observed: { record: LeaseRecord | undefined; atMs: number } | undefined;

  constructor(
    private readonly deps: {
      readonly store: LeaseStore;
      readonly clock: Clock;
      readonly logger: Logger;
      readonly metrics: Pick<Metrics, 'leader'>;
    },
    private readonly options: LeaseElectorOptions,
  ) {
    if (!(
      options.leaseDurationMs > options.renewDeadlineMs && options.renewDeadlineMs > options.retryPeriodMs
    )) {
      throw new RangeError('need leaseDuration > renewDeadline > retryPeriod');
    }
  }

  /** True while we believe we lead (may lag; use stillLeader() before acting). */
  get isLeader(): boolean {
    return this.leader;
  }

  /** Fencing check before each node action: false once the renew deadline passed without a renew. */
  stillLeader(): boolean {
    return this.leader && this.deps.clock.now() - this.lastRenewMs < this.options.renewDeadlineMs;
  }

  /** Campaigns and renews until the signal aborts; then releases the lease if we hold it. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      // the lease counts from when the request left, not from when its answer was read: an answer read
      // after a pause (SIGSTOP, a long GC) must not make a leader that slept past its lease fit to act
      const sentAt = this.deps.clock.now();
      const ok = await this.tryAcquireOrRenew();
      const now = this.deps.clock.now();
      if (ok) {
        this.lastRenewMs = sentAt;
        if (!this.leader) this.setLeader(true);
      } else if (
        this.leader &&
        (this.observedOther() || now - this.lastRenewMs >= this.options.renewDeadlineMs)
      ) {
        this.setLeader(false);
      }
      try {
        await this.deps.clock.sleep(this.options.retryPeriodMs, signal);
      } catch {
        break;
      }
    }
    if (this.leader) await this.release();
  }

  private setLeader(value: boolean): void {
    this.leader = value;
    this.deps.metrics.leader.set(value ? 1 : 0);
    this.deps.logger.info({ identity: this.options.identity }, value ? 'became leader' : 'stopped leading');
    const callback = value ? this.options.onStartedLeading : this.options.onStoppedLeading;
    try {
      callback?.();
    } catch (err) {
      this.deps.logger.error({ err }, 'leader callback failed');
    }
  }

  /** True when the last observed record names someone else (we were replaced). */
  private observedOther(): boolean {
    const holder = this.observed?.record?.holderIdentity;
    return holder !== undefined && holder !== '' && holder !== this.options.identity;
  }

  /** One attempt, bounded by the renew deadline; any failure is a false. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const timer = new AbortController();
    const timeout = this.deps.clock.sleep(this.options.renewDeadlineMs, timer.signal).then(
      () => false,
      () => false,
    );
    try {
      return await Promise.race([this.attempt(), timeout]);
    } catch (err) {
      // a SetupError (403/401) is logged once by the permanent-error tracker, not every retry period
      if (err instanceof SetupError) this.deps.logger.debug({ err }, 'lease update failed');
      else if (!(err instanceof ConflictError))
        this.deps.logger.warn({ err, next: 'tried again at the next retry period' }, 'lease update failed');
      return false;
    } finally {
      timer.abort();
    }
  }

  private async attempt(): Promise<boolean> {
    const { store, clock } = this.deps;
    const me = this.options.identity;
    const current = await store.get();
    this.observe(current);
    const now = clock.now();
    const spec = (holderIdentity: string, old?: LeaseRecord): LeaseSpec => ({
      holderIdentity,
      leaseDurationSeconds: Math.ceil(this.options.leaseDurationMs / 1000),
      acquireTimeMs: old && old.holderIdentity === me ? old.acquireTimeMs : now,
      renewTimeMs: now,
      leaseTransitions: old ? old.leaseTransitions + (old.holderIdentity === me ? 0 : 1) : 0,
    });
    if (!current) {
      this.observe(await store.create(spec(me)));
      return true;
    }
    if (current.holderIdentity !== me && current.holderIdentity !== '' && !this.expired(current, now))
      return false;
    this.observe(await store.replace(spec(me, current), current.resourceVersion));
    return true;
  }

  /** Records when we first saw this version of the record. */
  private observe(record: LeaseRecord | undefined): void {
    if (this.observed && this.observed.record?.resourceVersion === record?.resourceVersion) {
      this.observed = { record, atMs: this.observed.atMs };
    } else {
      this.observed = { record, atMs: this.deps.clock.now() };
    }
  }

  private expired(record: LeaseRecord, now: number): boolean {
    const seenAt = this.observed?.atMs ?? now;
    return seenAt + record.leaseDurationSeconds * 1000 <= now;
  }

  /** Gives the lease up (empty holder, 1 s duration) so a standby takes over at its next retry. */
  private async release(): Promise<void> {
    this.setLeader(false);
    try {
      const current = await this.deps.store.get();
      if (!current || current.holderIdentity !== this.options.identity) return;
      const now = this.deps.clock.now();
      await this.deps.store.replace(
        { ...current, holderIdentity: '', leaseDurationSeconds: 1, renewTimeMs: now },
        current.resourceVersion,
      );
    } catch (err) {
      this.deps.logger.warn({ err }, 'could not release the lease; it expires on its own');
    }
  }
}
