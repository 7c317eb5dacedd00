/**
 * The terms a running drain works to (kind, event, deadline, urgency). A stronger event merged into the
 * node action tightens them in place (upgrade-decision.ts): the drain keeps the evictions it has done
 * and gives the pods still waiting the shorter budget, instead of being aborted and started again.
 */
import type { EventKind } from '../events/interruption-event.js';

/** One set of drain terms. */
export interface DrainTermsValue {
  readonly kind: EventKind;
  readonly eventId: string;
  readonly deadlineMs: number;
  readonly urgent: boolean;
}

/** The live terms of one drain; the drain listens for changes. */
export class DrainTerms {
  private value: DrainTermsValue;
  private readonly listeners = new Set<(terms: DrainTermsValue) => void>();

  constructor(initial: DrainTermsValue) {
    this.value = initial;
  }

  /** The terms now. */
  get current(): DrainTermsValue {
    return this.value;
  }

  /**
   * Tightens the terms: the deadline only moves earlier and an urgent drain stays urgent, whatever
   * `next` says. Listeners hear of it when anything changed; returns whether it did.
   */
  tighten(next: DrainTermsValue): boolean {
    const merged: DrainTermsValue = {
      kind: next.kind,
      eventId: next.eventId,
      deadlineMs: Math.min(this.value.deadlineMs, next.deadlineMs),
      urgent: this.value.urgent || next.urgent,
    };
    const v = this.value;
    if (
      merged.kind === v.kind &&
      merged.eventId === v.eventId &&
      merged.deadlineMs === v.deadlineMs &&
      merged.urgent === v.urgent
    )
      return false;
    this.value = merged;
    for (const listener of [...this.listeners]) listener(merged);
    return true;
  }

  /** Calls `listener` on every change until the returned function is called. */
  subscribe(listener: (terms: DrainTermsValue) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
