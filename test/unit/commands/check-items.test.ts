/** `spot-handler check`: the checklist from fake ports (Kubernetes access reviews, the queue, EC2 DryRun). */
import { describe, expect, it } from 'vitest';
import { checkKube, grantFix, type KubeCheckPort } from '../../../src/commands/check-kube.js';
import { checklistExitCode, formatChecklist } from '../../../src/commands/check-list.js';
import { checkQueueAws } from '../../../src/commands/check-queue.js';
import { runCheckCommand } from '../../../src/commands/check-command.js';
import { imdsFix } from '../../../src/commands/check-imds.js';
import { ImdsRequestError } from '../../../src/aws/imds-client.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { SetupError, TransientError } from '../../../src/errors.js';
import { grantKey, kubeAccessNeeded, type KubeAccess } from '../../../src/kube/kube-access.js';

const QUEUE_ENV = {
  QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/q',
  POD_NAMESPACE: 'kube-system',
};
const queueConfig = (env: Record<string, string> = {}) =>
  loadConfig('queue', [], { ...QUEUE_ENV, ...env }).config;
const imdsConfig = () => loadConfig('imds', [], { NODE_NAME: 'n1' }).config;

/** Allows everything except the `group/resource:verb` keys given. */
function kubePort(denied: readonly string[] = [], nodes = 3): KubeCheckPort & { reviewed: string[] } {
  const reviewed: string[] = [];
  return {
    reviewed,
    listNodes: async () => nodes,
    readNode: async (name) => name === 'n1',
    review: async (a: KubeAccess) => {
      reviewed.push(grantKey(a));
      return { allowed: !denied.includes(grantKey(a)) };
    },
  };
}

describe('checkKube', () => {
  it('queue mode: lists nodes and reviews every grant the mode needs, the Lease by name', async () => {
    const port = kubePort();
    const items = await checkKube(queueConfig(), port);
    expect(items[0]).toEqual({ status: 'ok', what: 'list nodes', detail: '3 node(s)' });
    expect(items.every((i) => i.status === 'ok')).toBe(true);
    expect(port.reviewed).toEqual(kubeAccessNeeded(queueConfig()).map(grantKey));
    expect(port.reviewed).toEqual(
      expect.arrayContaining(['/nodes:list', 'coordination.k8s.io/leases:update']),
    );
    expect(items.map((i) => i.what)).toContain(
      'may update coordination.k8s.io/leases in kube-system/spot-handler-leader (renew the leader Lease)',
    );
  });

  it('a missing verb is a ✗ naming verb, resource and the fix', async () => {
    const items = await checkKube(queueConfig(), kubePort(['/nodes/status:patch']));
    const failed = items.filter((i) => i.status === 'fail');
    expect(failed).toEqual([
      {
        status: 'fail',
        what: 'may patch nodes/status (set the node condition)',
        detail: 'not allowed',
        fix: 'grant verb "patch" on resource "nodes/status" in the core API group ("") to the ClusterRole bound to this ServiceAccount (chart: rbac.create=true)',
      },
    ]);
    expect(checklistExitCode(items)).toBe(1);
  });

  it('imds mode reads its own node (no list) and needs no Lease', async () => {
    const port = kubePort();
    const items = await checkKube(imdsConfig(), port);
    expect(items[0]).toEqual({ status: 'ok', what: 'read this node', detail: 'n1' });
    expect(port.reviewed).not.toContain('/nodes:list');
    expect(port.reviewed.some((g) => g.includes('leases'))).toBe(false);
  });

  it('a review that fails itself (401) stops the reviews and names the credentials fix', async () => {
    const unauthorized = new SetupError('create selfsubjectaccessreview: HTTP 401', {
      reason: 'kube_unauthorized',
      fix: 'check the token',
    });
    const port: KubeCheckPort = { listNodes: async () => 1, review: () => Promise.reject(unauthorized) };
    const items = await checkKube(queueConfig(), port);
    expect(items).toHaveLength(2);
    expect(items[1]).toMatchObject({ status: 'fail', fix: 'check the token' });
  });

  it('names the Role and resourceNames for a named, namespaced grant', () => {
    const fix = grantFix({
      group: 'coordination.k8s.io',
      resource: 'leases',
      verb: 'get',
      namespace: 'ns',
      name: 'l',
      why: '',
    });
    expect(fix).toBe(
      'grant verb "get" on resource "leases" in API group "coordination.k8s.io" (resourceNames: [l]) to the Role in namespace ns bound to this ServiceAccount (chart: rbac.create=true)',
    );
  });
});

describe('checkQueueAws', () => {
  const ok = {
    queueAttributes: async () => ({ arn: 'arn:aws:sqs:us-east-1:1:q' }),
    describeInstancesDryRun: async () => undefined,
    describeLifecycleHooks: async () => undefined,
  };

  it('✓ for the queue and EC2 DryRun; – for what cannot be checked without acting', async () => {
    const items = await checkQueueAws(queueConfig(), ok);
    expect(items.map((i) => [i.status, i.what])).toEqual([
      ['ok', 'sqs:GetQueueAttributes on the queue'],
      ['info', 'sqs:ReceiveMessage, sqs:DeleteMessage, sqs:ChangeMessageVisibility'],
      ['ok', 'ec2:DescribeInstances'],
      ['ok', 'autoscaling:DescribeLifecycleHooks'],
      ['info', 'autoscaling:CompleteLifecycleAction, autoscaling:RecordLifecycleActionHeartbeat'],
    ]);
    expect(checklistExitCode(items)).toBe(0);
  });

  it('a missing queue, a denied EC2 action and a region mismatch are ✗ with their fixes', async () => {
    const items = await checkQueueAws(queueConfig({ AWS_REGION: 'eu-west-1' }), {
      queueAttributes: () =>
        Promise.reject(new SetupError('no queue', { reason: 'queue_not_found', fix: 'set queue.url' })),
      describeInstancesDryRun: () =>
        Promise.reject(
          new SetupError('denied', { reason: 'access_denied', fix: 'allow ec2:DescribeInstances' }),
        ),
      describeLifecycleHooks: () =>
        Promise.reject(
          new SetupError('denied', {
            reason: 'access_denied',
            fix: 'allow autoscaling:DescribeLifecycleHooks',
          }),
        ),
    });
    expect(items.filter((i) => i.status === 'fail').map((i) => i.fix)).toEqual([
      'set awsRegion (AWS_REGION) to us-east-1, or queue.url (QUEUE_URL) to a queue in eu-west-1',
      'set queue.url',
      'allow ec2:DescribeInstances',
      'allow autoscaling:DescribeLifecycleHooks',
    ]);
  });
});

describe('the printed checklist', () => {
  it('one line per item, the fix under each ✗, a summary', () => {
    const text = formatChecklist('spot-handler check (queue mode)', [
      { status: 'ok', what: 'list nodes', detail: '3 node(s)' },
      { status: 'fail', what: 'may patch nodes', detail: 'not allowed', fix: 'grant it' },
      { status: 'info', what: 'autoscaling', detail: 'not checked' },
    ]);
    expect(text).toBe(
      [
        'spot-handler check (queue mode)',
        '  ✓ list nodes: 3 node(s)',
        '  ✗ may patch nodes: not allowed',
        '      fix: grant it',
        '  – autoscaling: not checked',
        '1 check(s) failed.',
        '',
      ].join('\n'),
    );
  });

  it('an invalid configuration is a ✗ per problem and exit 1', async () => {
    let out = '';
    const code = await runCheckCommand(['queue', '--no-such-flag'], {}, { stdout: (t) => (out += t) });
    expect(code).toBe(1);
    expect(out).toMatch(/✗ configuration: .*no-such-flag/);
  });

  it('runs the mode chosen NTH-style and adds the configuration line', async () => {
    let out = '';
    const code = await runCheckCommand(
      [],
      { ...QUEUE_ENV, ENABLE_SQS_TERMINATION_DRAINING: 'true' },
      {
        stdout: (t) => (out += t),
        run: async (config) => [{ status: 'ok', what: `mode ${config.mode}` }],
      },
    );
    expect(code).toBe(0);
    expect(out).toBe(
      'spot-handler check (queue mode)\n  ✓ configuration: valid\n  ✓ mode queue\nAll checks passed.\n',
    );
  });

  it.each([
    ['PUT /latest/api/token timed out after 1000 ms', 'timeout', /hop limit is 1.*hostNetwork=true/],
    ['GET /latest/meta-data/instance-id timed out after 1000 ms', 'timeout', /reachable from the pod/],
    ['PUT /latest/api/token: connect ECONNREFUSED', 'network', /reachable from the pod/],
  ] as const)('IMDS failure %s → its fix', (message, reason, fix) => {
    const err = new TransientError(message, { cause: new ImdsRequestError(reason, message) });
    expect(imdsFix(err, 'http://169.254.169.254')).toMatch(fix);
  });
});
