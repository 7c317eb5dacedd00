/**
 * Never act on a node outside this cluster or on the control plane; never use an unvalidated instance id
 * or node name; inputs (messages, IMDS bodies, templates) are bounded. Complements
 * test/unit/modes/queue-cluster.test.ts with the cases it does not cover.
 */
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { MAX_IMDS_BODY_CHARS, type ImdsParseContext } from '../../../src/events/imds/imds-context.js';
import { parseRebalance } from '../../../src/events/imds/rebalance.js';
import { parseScheduledMaintenance } from '../../../src/events/imds/scheduled-maintenance.js';
import { parseSpotInstanceAction } from '../../../src/events/imds/spot-instance-action.js';
import { parseTargetLifecycleState } from '../../../src/events/imds/target-lifecycle-state.js';
import type { InterruptionEvent } from '../../../src/events/interruption-event.js';
import { parseQueueMessage } from '../../../src/events/queue/parse-queue-message.js';
import { ConfigError } from '../../../src/errors.js';
import type { IndexedNode } from '../../../src/kube/node-index.js';
import { InstanceResolver } from '../../../src/kube/resolve-instance.js';
import { nodeResolver } from '../../../src/modes/queue-cluster.js';
import { MAX_TEMPLATE_BYTES } from '../../../src/report/template.js';

const ID = 'i-0123456789abcdef0';
const event = { instanceId: ID } as InterruptionEvent;
const NAME = 'ip-10-0-0-1.ec2.internal';

function resolver(
  nodes: IndexedNode[],
  ec2: { privateDnsName: string; tags: Record<string, string> } | null,
) {
  const byName: string[] = [];
  const index = {
    lookup: (id: string) => nodes.find((n) => n.instanceId === id),
    lookupByName: (name: string) => (byName.push(name), nodes.find((n) => n.nodeName === name)),
  };
  const lookup =
    ec2 === null ? undefined : { describe: () => Promise.resolve(ec2.privateDnsName ? ec2 : undefined) };
  const options = { checkManagedTag: false, managedTag: 'managed', allowControlPlaneNodes: false };
  return {
    byName,
    r: nodeResolver(new InstanceResolver(index, lookup, options), options, pino({ level: 'silent' })),
  };
}

const node = (over: Partial<IndexedNode> = {}): IndexedNode => ({
  nodeName: NAME,
  instanceId: ID,
  ready: true,
  labels: {},
  ...over,
});

describe('queue mode acts only on worker nodes of this cluster', () => {
  it('refuses nodes with the legacy master role label too', async () => {
    const master = node({ labels: { 'node-role.kubernetes.io/master': 'true' } });
    await expect(resolver([master], null).r.resolve(event)).resolves.toBeUndefined();
  });

  it('refuses a control-plane node found through the EC2 private DNS fallback', async () => {
    const cp = node({ instanceId: undefined, labels: { 'node-role.kubernetes.io/control-plane': '' } });
    const t = resolver([cp], { privateDnsName: NAME, tags: {} });
    await expect(t.r.resolve(event)).resolves.toBeUndefined();
    expect(t.byName).toEqual([NAME]);
  });

  it('returns no node for an instance EC2 does not know, or one without a private DNS name', async () => {
    const unindexed = node({ instanceId: undefined, nodeName: '' });
    const t = resolver([unindexed], { privateDnsName: '', tags: {} });
    await expect(t.r.resolve(event)).resolves.toBeUndefined();
    expect(t.byName).toEqual([]);
  });

  it('returns no node for an unindexed instance when EC2 is not configured', async () => {
    await expect(
      resolver([node({ instanceId: 'i-0000000000000000f' })], null).r.resolve(event),
    ).resolves.toBe(undefined);
  });
});

const FIX = fileURLToPath(new URL('../../fixtures/eventbridge', import.meta.url));
const HOSTILE_IDS = [
  'i-0123456789ABCDEF0',
  'i-012345',
  'i-0123456789abcdef0/status',
  '../i-0123456789abcdef0',
  'ip-10-0-0-1',
];
const CTX = { messageId: 'm', receiptHandle: 'r', nowMs: Date.parse('2026-11-29T10:00:00Z') };

describe('instance ids from messages are validated before use', () => {
  const cases: [string, string][] = [
    ['spot-interruption-warning.json', 'instance-id'],
    ['rebalance-recommendation.json', 'instance-id'],
    ['instance-state-change-stopping.json', 'instance-id'],
    ['asg-terminate-lifecycle-action.json', 'EC2InstanceId'],
  ];
  it.each(cases)('%s: %s that is not an EC2 instance id is bad-field', (file, field) => {
    const doc = JSON.parse(readFileSync(`${FIX}/${file}`, 'utf8')) as { detail: Record<string, unknown> };
    expect(parseQueueMessage(JSON.stringify(doc), CTX).type).toBe('event');
    for (const id of HOSTILE_IDS) {
      const body = JSON.stringify({ ...doc, detail: { ...doc.detail, [field]: id } });
      expect(parseQueueMessage(body, CTX)).toMatchObject({ type: 'invalid', reason: 'bad-field' });
    }
  });

  it('health events drop affected entities that are not instance ids', () => {
    const doc = JSON.parse(readFileSync(`${FIX}/health-scheduled-change.json`, 'utf8')) as Record<
      string,
      unknown
    >;
    const detail = {
      ...(doc.detail as object),
      affectedEntities: HOSTILE_IDS.map((entityValue) => ({ entityValue })),
    };
    const outcome = parseQueueMessage(JSON.stringify({ ...doc, detail, resources: HOSTILE_IDS }), CTX);
    expect(outcome).toMatchObject({ type: 'invalid', reason: 'missing-field' });
  });
});

describe('the node name IMDS mode acts on is validated', () => {
  it.each(['ip-10-0-0-1.ec2.internal', 'n1', 'a'.repeat(63)])('accepts %s', (name) => {
    expect(loadConfig('imds', [], { NODE_NAME: name }).config.general.nodeName).toBe(name);
  });

  it.each(['IP-10-0-0-1', 'node/status', '../kube-system', 'n1 ', '-n1', 'a'.repeat(254), 'n\u00e9'])(
    'refuses %j as a config problem',
    (name) => {
      expect(() => loadConfig('imds', [], { NODE_NAME: name })).toThrow(ConfigError);
      expect(() => loadConfig('imds', [`--node-name=${name}`], {})).toThrow(/not a Kubernetes node name/);
    },
  );
});

const IMDS_CTX: ImdsParseContext = {
  instanceId: ID,
  nowMs: CTX.nowMs,
  scheduledLeadMs: 300_000,
  rebalanceHorizonMs: 1_800_000,
  asgTerminationHorizonMs: 120_000,
};

describe('inputs are bounded', () => {
  it('every IMDS parser refuses a body over MAX_IMDS_BODY_CHARS as too-large', () => {
    const big = `{"time":"${'x'.repeat(MAX_IMDS_BODY_CHARS)}"}`;
    const outcomes = [
      parseSpotInstanceAction(big, IMDS_CTX),
      parseRebalance(big, IMDS_CTX),
      ...parseScheduledMaintenance(big, IMDS_CTX),
      parseTargetLifecycleState(`Terminated${' '.repeat(MAX_IMDS_BODY_CHARS)}`, IMDS_CTX),
    ];
    for (const o of outcomes) expect(o).toMatchObject({ type: 'invalid', reason: 'too-large' });
  });

  it('a webhook template over MAX_TEMPLATE_BYTES is a start-up config problem', () => {
    const env = { NODE_NAME: 'n1', WEBHOOK_URL: 'https://hooks.example.com/x' };
    const big = `{"text":"${'y'.repeat(MAX_TEMPLATE_BYTES)}"}`;
    expect(() => loadConfig('imds', [], { ...env, WEBHOOK_TEMPLATE: big })).toThrow(/larger than/);
    expect(
      loadConfig('imds', [], { ...env, WEBHOOK_TEMPLATE: '{"text":"{{ .NodeName }}"}' }).config,
    ).toBeDefined();
  });
});
