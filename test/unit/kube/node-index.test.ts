import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/clock.js';
import { TransientError } from '../../../src/errors.js';
import {
  NodeIndex,
  ResourceVersionExpiredError,
  instanceIdFromProviderId,
  summariseNode,
  type IndexedNode,
  type NodeListWatch,
  type NodeWatchEvent,
} from '../../../src/kube/node-index.js';

const node = (name: string, id: string | undefined, ready = true): IndexedNode => ({
  nodeName: name,
  ready,
  labels: {},
  ...(id ? { instanceId: id, providerId: `aws:///us-east-1a/${id}` } : {}),
});

/** A stateful fake API: nodes, a resourceVersion, one open watch at a time, injectable failures. */
class FakeNodeApi implements NodeListWatch {
  nodes = new Map<string, IndexedNode>();
  rv = 1;
  lists = 0;
  failLists = 0;
  private emit: ((e: NodeWatchEvent) => void) | undefined;
  private end: ((err?: Error) => void) | undefined;
  watchedFrom: string[] = [];
  async list() {
    this.lists++;
    if (this.failLists > 0) {
      this.failLists--;
      throw new TransientError('503');
    }
    return { nodes: [...this.nodes.values()], resourceVersion: String(this.rv) };
  }
  watch(resourceVersion: string, onEvent: (e: NodeWatchEvent) => void, signal: AbortSignal): Promise<void> {
    this.watchedFrom.push(resourceVersion);
    return new Promise<void>((resolve, reject) => {
      this.emit = onEvent;
      this.end = (err) => (err ? reject(err) : resolve());
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }
  set(n: IndexedNode, type: 'ADDED' | 'MODIFIED' = 'ADDED'): void {
    this.nodes.set(n.nodeName, n);
    this.emit?.({ type, node: n, resourceVersion: String(++this.rv) });
  }
  delete(name: string): void {
    const n = this.nodes.get(name)!;
    this.nodes.delete(name);
    this.emit?.({ type: 'DELETED', node: n, resourceVersion: String(++this.rv) });
  }
  closeWatch(err?: Error): void {
    this.end?.(err);
  }
}

const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
};
const aborts: AbortController[] = [];
afterEach(() => aborts.splice(0).forEach((a) => a.abort()));

function setup(prepare: (api: FakeNodeApi) => void = () => {}) {
  const clock = new FakeClock();
  const api = new FakeNodeApi();
  prepare(api);
  const index = new NodeIndex({ source: api, clock, logger: pino({ level: 'silent' }) });
  const abort = new AbortController();
  aborts.push(abort);
  void index.run(abort.signal);
  return { clock, api, index, abort };
}

describe('instanceIdFromProviderId / summariseNode', () => {
  it.each([
    ['aws:///us-east-1a/i-0123456789abcdef0', 'i-0123456789abcdef0'],
    ['aws:///us-east-1a/i-01234567', 'i-01234567'],
    ['aws:///us-east-1a/fargate-ip-10-0-0-1', undefined],
    ['gce://project/zone/i-0123456789abcdef0', undefined],
    [undefined, undefined],
  ])('%s → %s', (providerId, id) => expect(instanceIdFromProviderId(providerId)).toBe(id));

  it('keeps only what it needs', () => {
    const summary = summariseNode({
      metadata: { name: 'n1', labels: { a: 'b' }, annotations: { big: 'x'.repeat(1000) } },
      spec: { providerID: 'aws:///us-east-1a/i-0123456789abcdef0' },
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    });
    expect(summary).toEqual({
      nodeName: 'n1',
      ready: true,
      labels: { a: 'b' },
      providerId: 'aws:///us-east-1a/i-0123456789abcdef0',
      instanceId: 'i-0123456789abcdef0',
    });
  });
});

describe('NodeIndex', () => {
  it('lists, then follows the watch (add, modify, delete)', async () => {
    const t = setup((api) => api.set(node('n1', 'i-00000001')));
    await t.index.synced;
    await flush();
    expect(t.index.lookup('i-00000001')?.nodeName).toBe('n1');
    t.api.set(node('n2', 'i-00000002'));
    expect(t.index.lookup('i-00000002')?.nodeName).toBe('n2');
    t.api.set(node('n2', 'i-00000003'), 'MODIFIED'); // providerID changed: the old id must go
    expect(t.index.lookup('i-00000002')).toBeUndefined();
    expect(t.index.lookup('i-00000003')?.nodeName).toBe('n2');
    t.api.delete('n1');
    expect(t.index.lookup('i-00000001')).toBeUndefined();
    expect(t.index.size).toBe(1);
    expect(t.index.lookupByName('n2')?.instanceId).toBe('i-00000003');
    expect(t.api.watchedFrom).toEqual(['1']);
  });

  it('re-watches from the last resourceVersion when the server closes the watch', async () => {
    const t = setup();
    await flush();
    t.api.set(node('n1', 'i-00000001'));
    t.api.closeWatch();
    await flush();
    expect(t.api.watchedFrom).toEqual(['1', '2']);
    expect(t.api.lists).toBe(1);
  });

  it('lists again on 410 Gone, dropping nodes deleted meanwhile', async () => {
    const t = setup((api) => api.set(node('n1', 'i-00000001')));
    await flush();
    t.api.nodes.delete('n1'); // deleted while the watch was not looking
    t.api.rv = 50;
    t.api.closeWatch(new ResourceVersionExpiredError('too old'));
    await flush();
    expect(t.api.lists).toBe(2);
    expect(t.index.lookup('i-00000001')).toBeUndefined();
    expect(t.api.watchedFrom.at(-1)).toBe('50');
  });

  it('backs off after list errors, then syncs', async () => {
    const t = setup((api) => {
      api.failLists = 2;
      api.set(node('n1', 'i-00000001'));
    });
    await flush();
    expect(t.api.lists).toBe(1);
    await t.clock.advance(1000);
    expect(t.api.lists).toBe(2);
    await t.clock.advance(1999);
    expect(t.api.lists).toBe(2);
    await t.clock.advance(1);
    await t.index.synced;
    expect(t.index.size).toBe(1);
  });

  it('waitForReady resolves when the node joins and becomes Ready, or undefined on timeout', async () => {
    const t = setup();
    await t.index.synced;
    const waiting = t.index.waitForReady('i-00000009', 60_000);
    const late = t.index.waitForReady('i-0000000a', 5000);
    await flush();
    t.api.set(node('n9', 'i-00000009', false));
    await flush();
    t.api.set(node('n9', 'i-00000009', true), 'MODIFIED');
    expect((await waiting)?.nodeName).toBe('n9');
    await t.clock.advance(5000);
    expect(await late).toBeUndefined();
    expect(t.clock.pending).toBe(0);
  });
});
