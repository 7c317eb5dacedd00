/**
 * IMDS mode input: reads this instance's identity, then polls the enabled notice paths every
 * `pollIntervalMs` (all due paths in parallel, never overlapping ticks), parses each body and hands new
 * outcomes to the consumer. A failing path backs off on its own (exponential, jittered, capped) while
 * the others keep the normal interval, so a broken maintenance endpoint never slows spot detection.
 */
import { retryIn } from '../report/log-errors.js';
import type { Logger } from 'pino';
import { imdsFailureReason, type ImdsResponse } from '../aws/imds-client.js';
import type { Clock } from '../clock.js';
import type { ImdsParseContext } from '../events/imds/imds-context.js';
import { parseRebalance, REBALANCE_PATH } from '../events/imds/rebalance.js';
import {
  parseScheduledMaintenance,
  SCHEDULED_MAINTENANCE_PATH,
} from '../events/imds/scheduled-maintenance.js';
import { parseSpotInstanceAction, SPOT_INSTANCE_ACTION_PATH } from '../events/imds/spot-instance-action.js';
import {
  parseTargetLifecycleState,
  TARGET_LIFECYCLE_STATE_PATH,
} from '../events/imds/target-lifecycle-state.js';
import type { ParseOutcome } from '../events/interruption-event.js';
import type { Metrics } from '../report/metrics.js';
import { readImdsIdentity, type ImdsInstanceIdentity } from './imds-identity.js';

/** The IMDS reads the poller needs (src/aws/imds-client.ts ImdsClient implements it). */
export interface ImdsPort {
  get(path: string, signal?: AbortSignal): Promise<ImdsResponse>;
}

/** Where new outcomes go. Called once per new outcome per path; must return quickly (not awaited). */
export interface ImdsOutcomeConsumer {
  onOutcome(outcome: ParseOutcome, path: string): void;
}

/** Which notice paths to poll. */
export interface ImdsEnableFlags {
  readonly spot: boolean;
  /** Rebalance monitoring or draining. */
  readonly rebalance: boolean;
  readonly scheduled: boolean;
  readonly asgLifecycle: boolean;
}

/** Poller options (from the imds config section). */
export interface ImdsPollerOptions {
  readonly nodeName?: string;
  readonly pollIntervalMs: number;
  readonly enable: ImdsEnableFlags;
  readonly scheduledLeadMs: number;
  readonly rebalanceHorizonMs: number;
  readonly asgTerminationHorizonMs: number;
  /** First back-off delay after a failure (default 1000 ms), doubling up to `backoffMaxMs` (10000 ms). */
  readonly backoffInitialMs?: number;
  readonly backoffMaxMs?: number;
  /** Random source in [0, 1) for jitter (tests pass a fixed one). */
  readonly random?: () => number;
}

/** Poller dependencies. */
export interface ImdsPollerDeps {
  readonly imds: ImdsPort;
  readonly consumer: ImdsOutcomeConsumer;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

type Parse = (body: string, context: ImdsParseContext) => ParseOutcome[];
interface PathState {
  readonly path: string;
  readonly parse: Parse;
  failures: number;
  nextDueMs: number;
  /** Keys of the outcomes already handed over for the current body. */
  delivered: ReadonlySet<string>;
}

const PARSERS: readonly { flag: keyof ImdsEnableFlags; path: string; parse: Parse }[] = [
  { flag: 'spot', path: SPOT_INSTANCE_ACTION_PATH, parse: (b, c) => [parseSpotInstanceAction(b, c)] },
  { flag: 'rebalance', path: REBALANCE_PATH, parse: (b, c) => [parseRebalance(b, c)] },
  { flag: 'scheduled', path: SCHEDULED_MAINTENANCE_PATH, parse: parseScheduledMaintenance },
  {
    flag: 'asgLifecycle',
    path: TARGET_LIFECYCLE_STATE_PATH,
    parse: (b, c) => [parseTargetLifecycleState(b, c)],
  },
];

/** What makes two outcomes "the same" across polls (ids and reasons, not times). */
export function outcomeKey(o: ParseOutcome): string {
  if (o.type === 'event') return `event:${o.events.map((e) => e.id).join(',')}`;
  if (o.type === 'cancel') return `cancel:${o.cancellations.map((c) => c.eventId).join(',')}`;
  return `${o.type}:${o.reason}:${o.detail ?? ''}`;
}

/** Exponential back-off with jitter: attempt 1 → [initial/2, initial], doubling, capped at max. */
export function backoffDelayMs(
  attempt: number,
  initialMs: number,
  maxMs: number,
  random: () => number,
): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base / 2 + (random() * base) / 2);
}

/** Polls IMDS until aborted; never throws out of `run`. */
export class ImdsPoller {
  private readonly paths: PathState[];
  private readonly log: Logger;
  private identityValue: ImdsInstanceIdentity | undefined;

  constructor(
    private readonly deps: ImdsPollerDeps,
    private readonly options: ImdsPollerOptions,
  ) {
    this.log = deps.logger.child({ component: 'imds-poller' });
    this.paths = PARSERS.filter((p) => options.enable[p.flag]).map((p) => ({
      path: p.path,
      parse: p.parse,
      failures: 0,
      nextDueMs: 0,
      delivered: new Set(),
    }));
  }

  /** True once the instance identity has been read. */
  get ready(): boolean {
    return this.identityValue !== undefined;
  }

  /** True while every enabled path answers (200 or 404). */
  get healthy(): boolean {
    return this.ready && this.paths.every((p) => p.failures === 0);
  }

  /** The identity read at start (undefined until ready). */
  get identity(): ImdsInstanceIdentity | undefined {
    return this.identityValue;
  }

  /** Reads identity (retrying), then polls every interval until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const { clock } = this.deps;
    try {
      this.identityValue = await readImdsIdentity(this.deps, signal, (n) => this.backoff(n));
      this.log.info({ ...this.identityValue, paths: this.paths.map((p) => p.path) }, 'IMDS polling started');
      while (!signal.aborted) {
        const started = clock.now();
        await this.tick(signal);
        await clock.sleep(Math.max(0, started + this.options.pollIntervalMs - clock.now()), signal);
      }
    } catch (err) {
      if (!signal.aborted) this.log.error({ err }, 'IMDS poller stopped unexpectedly');
    }
  }

  /** One poll of every due path, in parallel. */
  private async tick(signal: AbortSignal): Promise<void> {
    const now = this.deps.clock.now();
    const due = this.paths.filter((p) => p.nextDueMs <= now);
    await Promise.all(due.map((p) => this.pollPath(p, signal)));
    if (signal.aborted) return;
    this.deps.metrics.imdsHealthy.set(this.healthy ? 1 : 0);
  }

  private async pollPath(state: PathState, signal: AbortSignal): Promise<void> {
    let res: ImdsResponse;
    try {
      res = await this.deps.imds.get(state.path, signal);
    } catch (err) {
      if (signal.aborted) return;
      this.recordFailure(state, err);
      return;
    }
    if (state.failures > 0)
      this.log.info({ path: state.path, failures: state.failures }, 'IMDS path recovered');
    state.failures = 0;
    state.nextDueMs = 0;
    if (res.status === 404) {
      state.delivered = new Set();
      return;
    }
    this.deliver(state, state.parse(res.body, this.context()));
  }

  private recordFailure(state: PathState, err: unknown): void {
    const reason = imdsFailureReason(err);
    const label = reason === 'too_large' ? 'malformed' : reason;
    this.deps.metrics.imdsPollErrors.inc({ reason: label });
    state.failures++;
    const delay = this.backoff(state.failures);
    state.nextDueMs = this.deps.clock.now() + delay;
    const fields = { path: state.path, reason: label, failures: state.failures, retryInMs: delay };
    const next = `retry in ${retryIn(delay)}; further failures are logged at debug until it recovers`;
    if (state.failures === 1) this.log.warn({ ...fields, err, next }, 'IMDS request failed; backing off');
    else this.log.debug(fields, 'IMDS request failed again');
  }

  /** Hands over outcomes not already handed over for this path; no-notice ignores are dropped. */
  private deliver(state: PathState, outcomes: ParseOutcome[]): void {
    const { metrics } = this.deps;
    const keys = new Set<string>();
    for (const outcome of outcomes) {
      if (outcome.type === 'ignore' && outcome.reason === 'no-notice') continue;
      const key = outcomeKey(outcome);
      keys.add(key);
      if (state.delivered.has(key)) continue;
      if (outcome.type === 'invalid') {
        metrics.inputsInvalid.inc({ source: 'imds', reason: outcome.reason });
        metrics.imdsPollErrors.inc({ reason: 'malformed' });
        this.log.warn(
          { path: state.path, reason: outcome.reason, detail: outcome.detail },
          'IMDS body not valid',
        );
      } else if (outcome.type === 'ignore') {
        metrics.inputsIgnored.inc({ source: 'imds', reason: outcome.reason });
        this.log.info(
          { path: state.path, reason: outcome.reason, detail: outcome.detail },
          'IMDS notice ignored',
        );
      }
      try {
        this.deps.consumer.onOutcome(outcome, state.path);
      } catch (err) {
        keys.delete(key); // hand it over again next tick
        this.log.error({ err, path: state.path }, 'IMDS outcome consumer failed');
      }
    }
    state.delivered = keys;
  }

  private context(): ImdsParseContext {
    const id = this.identityValue;
    const o = this.options;
    return {
      instanceId: id?.instanceId ?? '',
      ...(o.nodeName !== undefined ? { nodeName: o.nodeName } : {}),
      nowMs: this.deps.clock.now(),
      ...(id?.region !== undefined ? { region: id.region } : {}),
      ...(id?.availabilityZone !== undefined ? { availabilityZone: id.availabilityZone } : {}),
      ...(id?.instanceType !== undefined ? { instanceType: id.instanceType } : {}),
      scheduledLeadMs: o.scheduledLeadMs,
      rebalanceHorizonMs: o.rebalanceHorizonMs,
      asgTerminationHorizonMs: o.asgTerminationHorizonMs,
    };
  }

  private backoff(attempt: number): number {
    const o = this.options;
    return backoffDelayMs(
      attempt,
      o.backoffInitialMs ?? 1000,
      o.backoffMaxMs ?? 10_000,
      o.random ?? Math.random,
    );
  }
}
