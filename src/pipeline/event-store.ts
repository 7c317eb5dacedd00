/**
 * The event store (DESIGN §2): merges the several messages of one interruption into one node action
 * per instance, keeps the earliest deadline, and remembers finished events so a repeated IMDS poll or a
 * redelivered message is answered without doing the work again.
 */
import type { InterruptionEvent } from '../events/interruption-event.js';
import { strength, type PlanOptions } from './plan.js';
import type { RunContext } from './run-context.js';

/** How an action ended, as told to everyone waiting on one of its events. */
export type ActionOutcome =
  | { readonly status: 'done'; readonly detail: string }
  | { readonly status: 'failed'; readonly detail: string }
  | { readonly status: 'foreign'; readonly detail: string }
  | { readonly status: 'ignored'; readonly detail: string }
  | { readonly status: 'aborted'; readonly detail: string };

/** What the store decided for a submitted event. */
export type Admission =
  | { readonly type: 'start'; readonly action: NodeAction }
  | { readonly type: 'join'; readonly action: NodeAction }
  | { readonly type: 'supersede'; readonly action: NodeAction }
  | { readonly type: 'duplicate'; readonly action: NodeAction }
  | { readonly type: 'finished'; readonly outcome: ActionOutcome };

/** One node action in flight: the merged events and everyone waiting for the outcome. */
export class NodeAction {
  readonly instanceId: string;
  readonly events: InterruptionEvent[] = [];
  /** Webhook triggers already sent for this action (start, success, failure). */
  readonly reported = new Set<string>();
  private readonly waiters: ((outcome: ActionOutcome) => void)[] = [];
  /** Aborts the current run; replaced when a stronger event restarts it. */
  runAbort = new AbortController();
  /** Stops this action's lifecycle heartbeats when it ends. */
  readonly heartbeats = new AbortController();
  /** The chain of webhook deliveries of this action, in order. */
  notifications: Promise<void> = Promise.resolve();
  /** Webhook triggers delivered by this process: carried by the next node write (so a restart skips them). */
  readonly delivered = new Set<string>();
  /** Ids of events whose hook heartbeats have started. */
  readonly heartbeating = new Set<string>();
  /** Set when a stronger event arrived while running: the runner plans again. */
  restartRequested = false;
  /** Set when the action's only event was canceled: an aborted run then ends "ignored" (nothing to do). */
  canceled = false;
  /** The run under way, once it has planned (a merged event may change it in place). */
  run: RunContext | undefined;

  constructor(first: InterruptionEvent) {
    this.instanceId = first.instanceId;
    this.events.push(first);
  }

  /** The event that drives the plan: the strongest kind, then the earliest deadline. */
  primary(options: PlanOptions): InterruptionEvent {
    return choosePrimary(this.events, options);
  }

  /** The earliest deadline of the merged events that act on the node (a launch hook has none). */
  get deadlineMs(): number {
    return Math.min(...this.events.filter((e) => e.kind !== 'asg-launch').map((e) => e.deadlineMs));
  }

  /** The earliest time any merged notice was seen. */
  get noticedAtMs(): number {
    return Math.min(...this.events.map((e) => e.noticedAtMs));
  }

  /** Registers someone waiting for the outcome. */
  wait(): Promise<ActionOutcome> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Resolves every waiter. */
  settle(outcome: ActionOutcome): void {
    for (const resolve of this.waiters.splice(0)) resolve(outcome);
  }
}

/** Picks the driving event: strongest kind first, then earliest deadline. */
export function choosePrimary(events: readonly InterruptionEvent[], options: PlanOptions): InterruptionEvent {
  let best = events[0];
  if (!best) throw new Error('no events');
  for (const e of events) {
    const ds = strength(e, options) - strength(best, options);
    if (ds > 0 || (ds === 0 && e.deadlineMs < best.deadlineMs)) best = e;
  }
  return best;
}

/** Options for remembering finished events. */
export interface StoreOptions {
  /** How long a finished event is remembered (repeated polls and redeliveries are answered from memory). */
  readonly rememberDoneMs: number;
  /** How long a failed event is answered "failed" before it may be tried again. */
  readonly retryFailedAfterMs: number;
  /** Upper bound on remembered events. */
  readonly maxRemembered: number;
}

/** Default memory: one hour for done work, 15 s before retrying a failure. */
export const DEFAULT_STORE_OPTIONS: StoreOptions = {
  rememberDoneMs: 60 * 60_000,
  retryFailedAfterMs: 15_000,
  maxRemembered: 50_000,
};

/** The registry of node actions by instance id, and of finished events by event id. */
export class EventStore {
  private readonly active = new Map<string, NodeAction>();
  private readonly finished = new Map<string, { outcome: ActionOutcome; atMs: number }>();

  constructor(
    private readonly planOptions: PlanOptions,
    private readonly options: StoreOptions = DEFAULT_STORE_OPTIONS,
  ) {}

  /** Decides what a new event means for the node's action. Does not start anything. */
  admit(event: InterruptionEvent, nowMs: number): Admission {
    const current = this.active.get(event.instanceId);
    if (current) {
      if (current.events.some((e) => e.id === event.id)) return { type: 'duplicate', action: current };
      const before = current.primary(this.planOptions);
      current.events.push(event);
      const after = current.primary(this.planOptions);
      const stronger = after !== before;
      return stronger ? { type: 'supersede', action: current } : { type: 'join', action: current };
    }
    const past = this.finished.get(event.id);
    if (past) {
      const retryable = past.outcome.status === 'failed' || past.outcome.status === 'aborted';
      const age = nowMs - past.atMs;
      if (!retryable || age < this.options.retryFailedAfterMs)
        return { type: 'finished', outcome: past.outcome };
      this.finished.delete(event.id);
    }
    const action = new NodeAction(event);
    this.active.set(event.instanceId, action);
    return { type: 'start', action };
  }

  /** Records the end of an action: its events are remembered with the outcome. */
  finish(action: NodeAction, outcome: ActionOutcome, nowMs: number): void {
    if (this.active.get(action.instanceId) === action) this.active.delete(action.instanceId);
    for (const e of action.events) this.finished.set(e.id, { outcome, atMs: nowMs });
    this.prune(nowMs);
    action.settle(outcome);
  }

  /** The action in flight for an instance, if any. */
  activeFor(instanceId: string): NodeAction | undefined {
    return this.active.get(instanceId);
  }

  /** Remembers a canceled event as finished with nothing to do: a redelivery of it is not acted on. */
  canceled(eventId: string, nowMs: number): void {
    this.finished.set(eventId, { outcome: { status: 'ignored', detail: 'canceled' }, atMs: nowMs });
    this.prune(nowMs);
  }

  /** Number of actions in flight. */
  get activeCount(): number {
    return this.active.size;
  }

  /** All actions in flight. */
  activeActions(): NodeAction[] {
    return [...this.active.values()];
  }

  private prune(nowMs: number): void {
    for (const [id, f] of this.finished) {
      if (nowMs - f.atMs > this.options.rememberDoneMs) this.finished.delete(id);
    }
    while (this.finished.size > this.options.maxRemembered) {
      const oldest = this.finished.keys().next().value;
      if (oldest === undefined) break;
      this.finished.delete(oldest);
    }
  }
}
