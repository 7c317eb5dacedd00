/** A stateful in-memory SQS queue on a FakeClock, with failure injection (test helper). */
import type { Clock } from '../../../src/clock.js';
import type { QueueMessage, ReceiveRequest, SqsQueuePort } from '../../../src/sources/sqs-queue-port.js';
import { TransientError } from '../../../src/errors.js';

interface Stored {
  id: string;
  body: string;
  sentAtMs: number;
  visibleAtMs: number;
  handle: string;
  receives: number;
}

/** Failures to inject, as counts of upcoming calls that fail. */
export interface FailPlan {
  receive: number;
  delete: number;
  changeVisibility: number;
}

/** In-memory SQS queue. */
export class FakeSqsQueue implements SqsQueuePort {
  readonly messages = new Map<string, Stored>();
  readonly fail: FailPlan = { receive: 0, delete: 0, changeVisibility: 0 };
  readonly calls = { receive: 0, delete: 0, changeVisibility: 0 };
  readonly deleted: string[] = [];
  readonly requests: ReceiveRequest[] = [];
  private seq = 0;
  private readonly wakers = new Set<() => void>();

  constructor(private readonly clock: Clock) {}

  send(body: string, sentAtMs = this.clock.now()): string {
    const id = `msg-${++this.seq}`;
    this.messages.set(id, { id, body, sentAtMs, visibleAtMs: 0, handle: '', receives: 0 });
    for (const wake of this.wakers) wake();
    return id;
  }

  receivesOf(id: string): number {
    return this.messages.get(id)?.receives ?? -1;
  }

  async receive(request: ReceiveRequest, signal: AbortSignal): Promise<readonly QueueMessage[]> {
    this.calls.receive++;
    this.requests.push(request);
    if (this.fail.receive > 0) {
      this.fail.receive--;
      throw new TransientError('injected receive failure');
    }
    const deadline = this.clock.now() + request.waitSeconds * 1000;
    for (;;) {
      const now = this.clock.now();
      const all = [...this.messages.values()];
      const visible = all.filter((m) => m.visibleAtMs <= now).slice(0, request.maxMessages);
      if (visible.length > 0) return visible.map((m) => this.deliver(m, now, request.visibilitySeconds));
      if (now >= deadline) return [];
      // long poll: wake at the deadline, when a message becomes visible, or when one is sent
      const nextVisible = Math.min(deadline, ...all.map((m) => m.visibleAtMs));
      const wake = new AbortController();
      const onAbort = (): void => wake.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.wakers.add(onAbort);
      try {
        await this.clock.sleep(nextVisible - now, wake.signal);
      } catch {
        // woken early
      } finally {
        signal.removeEventListener('abort', onAbort);
        this.wakers.delete(onAbort);
      }
      if (signal.aborted) throw signal.reason;
    }
  }

  private deliver(m: Stored, now: number, visibilitySeconds: number): QueueMessage {
    m.receives++;
    m.handle = `${m.id}#${m.receives}`;
    m.visibleAtMs = now + visibilitySeconds * 1000;
    return {
      messageId: m.id,
      receiptHandle: m.handle,
      body: m.body,
      sentAtMs: m.sentAtMs,
      receiveCount: m.receives,
    };
  }

  async delete(receiptHandle: string): Promise<void> {
    this.calls.delete++;
    if (this.fail.delete > 0) {
      this.fail.delete--;
      throw new TransientError('injected delete failure');
    }
    const m = this.byHandle(receiptHandle);
    if (m) {
      this.messages.delete(m.id);
      this.deleted.push(m.id);
    }
  }

  async changeVisibility(receiptHandle: string, visibilitySeconds: number): Promise<void> {
    this.calls.changeVisibility++;
    if (this.fail.changeVisibility > 0) {
      this.fail.changeVisibility--;
      throw new TransientError('injected change-visibility failure');
    }
    const m = this.byHandle(receiptHandle);
    if (!m) throw new TransientError('receipt handle is stale');
    m.visibleAtMs = this.clock.now() + visibilitySeconds * 1000;
    for (const wake of this.wakers) wake();
  }

  private byHandle(handle: string): Stored | undefined {
    return [...this.messages.values()].find((m) => m.handle === handle);
  }
}
