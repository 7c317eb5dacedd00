import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AutoScalingClient,
  CompleteLifecycleActionCommand,
  DescribeAutoScalingInstancesCommand,
  DescribeLifecycleHooksCommand,
  RecordLifecycleActionHeartbeatCommand,
} from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { startAwsQueryServer, type AwsQueryServer } from '../../../src/sandbox/aws-query-server.js';

const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };
const ID_A = 'i-0123456789abcdef0';
const ID_B = 'i-0fedcba9876543210';

describe('aws-query-server with the real SDK clients', () => {
  let sim: AwsQueryServer;
  let ec2: EC2Client;
  let asg: AutoScalingClient;

  beforeEach(async () => {
    sim = await startAwsQueryServer();
    const config = { endpoint: sim.url, region: 'us-east-1', credentials, maxAttempts: 1 };
    ec2 = new EC2Client(config);
    asg = new AutoScalingClient(config);
    sim.addInstance({
      instanceId: ID_A,
      privateDnsName: 'ip-10-0-0-1.ec2.internal',
      instanceType: 'm5.xlarge',
      availabilityZone: 'us-east-1b',
      instanceLifecycle: 'spot',
      autoScalingGroupName: 'ng-1',
      tags: { 'eks:nodegroup-name': 'ng-1', 'aws-node-termination-handler/managed': '' },
    });
    sim.addInstance({ instanceId: ID_B, privateDnsName: 'ip-10-0-0-2.ec2.internal', state: 'stopped' });
    sim.setHook({ groupName: 'ng-1', hookName: 'nth', heartbeatTimeoutSeconds: 300 });
  });

  afterEach(async () => {
    ec2.destroy();
    asg.destroy();
    await sim.stop();
  });

  it('describes an instance by id with placement, state, lifecycle and tags', async () => {
    const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [ID_A] }));
    const inst = out.Reservations?.[0]?.Instances?.[0];
    expect(out.Reservations).toHaveLength(1);
    expect(inst).toMatchObject({
      InstanceId: ID_A,
      PrivateDnsName: 'ip-10-0-0-1.ec2.internal',
      InstanceType: 'm5.xlarge',
      Placement: { AvailabilityZone: 'us-east-1b' },
      State: { Code: 16, Name: 'running' },
      InstanceLifecycle: 'spot',
    });
    expect(inst?.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'eks:nodegroup-name', Value: 'ng-1' },
        { Key: 'aws:autoscaling:groupName', Value: 'ng-1' },
      ]),
    );
    expect(sim.callsOf('DescribeInstances')[0]?.params).toEqual({ 'InstanceId.1': ID_A });
  });

  it.each([
    [[{ Name: 'private-dns-name', Values: ['ip-10-0-0-2.ec2.internal'] }], [ID_B]],
    [[{ Name: 'private-dns-name', Values: ['ip-10-0-0-*'] }], [ID_A, ID_B]],
    [[{ Name: 'tag-key', Values: ['aws-node-termination-handler/managed'] }], [ID_A]],
    [[{ Name: 'tag:eks:nodegroup-name', Values: ['ng-1', 'ng-2'] }], [ID_A]],
    [[{ Name: 'tag:eks:nodegroup-name', Values: ['ng-9'] }], []],
    [[{ Name: 'instance-id', Values: [ID_B] }], [ID_B]],
    [
      [
        { Name: 'instance-state-name', Values: ['running'] },
        { Name: 'private-dns-name', Values: ['ip-10-0-0-2.ec2.internal'] },
      ],
      [],
    ],
  ])('filters %j -> %j', async (Filters, ids) => {
    const out = await ec2.send(new DescribeInstancesCommand({ Filters }));
    const found = (out.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId);
    expect(found).toEqual(ids);
  });

  it('answers unknown and malformed ids and bad filters with EC2 error codes', async () => {
    const missing = 'i-00000000000000000';
    await expect(ec2.send(new DescribeInstancesCommand({ InstanceIds: [missing] }))).rejects.toMatchObject({
      name: 'InvalidInstanceID.NotFound',
      $metadata: { httpStatusCode: 400 },
      message: `The instance ID '${missing}' does not exist`,
    });
    await expect(ec2.send(new DescribeInstancesCommand({ InstanceIds: ['node-1'] }))).rejects.toMatchObject({
      name: 'InvalidInstanceID.Malformed',
    });
    await expect(
      ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'colour', Values: ['x'] }] })),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('describes auto scaling instances, omitting unknown ones', async () => {
    const out = await asg.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [ID_A, ID_B] }));
    expect(out.AutoScalingInstances).toEqual([
      expect.objectContaining({
        InstanceId: ID_A,
        AutoScalingGroupName: 'ng-1',
        LifecycleState: 'InService',
        AvailabilityZone: 'us-east-1b',
        ProtectedFromScaleIn: false,
      }),
    ]);
    expect(sim.callsOf('DescribeAutoScalingInstances')[0]?.params).toEqual({
      'InstanceIds.member.1': ID_A,
      'InstanceIds.member.2': ID_B,
    });
  });

  it('describes lifecycle hooks and rejects an unknown group', async () => {
    const out = await asg.send(new DescribeLifecycleHooksCommand({ AutoScalingGroupName: 'ng-1' }));
    expect(out.LifecycleHooks).toEqual([
      expect.objectContaining({
        LifecycleHookName: 'nth',
        LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING',
        HeartbeatTimeout: 300,
        DefaultResult: 'ABANDON',
      }),
    ]);
    await expect(
      asg.send(new DescribeLifecycleHooksCommand({ AutoScalingGroupName: 'nope' })),
    ).rejects.toMatchObject({ name: 'ValidationError', $metadata: { httpStatusCode: 400 } });
  });

  it('heartbeats and completes an active lifecycle action, then refuses a second completion', async () => {
    const token = sim.startLifecycleAction(ID_A, 'nth');
    const ref = { AutoScalingGroupName: 'ng-1', LifecycleHookName: 'nth' };
    await asg.send(new RecordLifecycleActionHeartbeatCommand({ ...ref, InstanceId: ID_A }));
    await asg.send(new RecordLifecycleActionHeartbeatCommand({ ...ref, LifecycleActionToken: token }));
    const before = await asg.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [ID_A] }));
    expect(before.AutoScalingInstances?.[0]?.LifecycleState).toBe('Terminating:Wait');

    const complete = new CompleteLifecycleActionCommand({
      ...ref,
      LifecycleActionToken: token,
      LifecycleActionResult: 'CONTINUE',
    });
    await asg.send(complete);
    expect(sim.completed).toEqual([
      {
        instanceId: ID_A,
        groupName: 'ng-1',
        hookName: 'nth',
        token,
        transition: 'autoscaling:EC2_INSTANCE_TERMINATING',
        result: 'CONTINUE',
        heartbeats: 2,
      },
    ]);
    expect(sim.world.instances.get(ID_A)?.asgLifecycleState).toBe('Terminating:Proceed');
    await expect(asg.send(complete)).rejects.toMatchObject({
      name: 'ValidationError',
      message: `No active Lifecycle Action found with token ${token}`,
    });
  });

  it('reports GlobalTimeout as AWS does: min(100 × HeartbeatTimeout, 48 h)', async () => {
    sim.setHook({ groupName: 'ng-1', hookName: 'long' });
    const out = await asg.send(
      new DescribeLifecycleHooksCommand({
        AutoScalingGroupName: 'ng-1',
        LifecycleHookNames: ['nth', 'long'],
      }),
    );
    const timeouts = out.LifecycleHooks?.map((h) => [
      h.LifecycleHookName,
      h.HeartbeatTimeout,
      h.GlobalTimeout,
    ]);
    expect(timeouts).toEqual([
      ['nth', 300, 30_000],
      ['long', 3600, 172_800],
    ]);
  });

  it('times an action out after HeartbeatTimeout; a heartbeat restarts it, never past GlobalTimeout', async () => {
    sim.setHook({
      groupName: 'ng-1',
      hookName: 'nth',
      heartbeatTimeoutSeconds: 300,
      defaultResult: 'CONTINUE',
    });
    const ref = { AutoScalingGroupName: 'ng-1', LifecycleHookName: 'nth', InstanceId: ID_A };
    sim.startLifecycleAction(ID_A, 'nth');
    sim.advanceLifecycleClock(250_000);
    await asg.send(new RecordLifecycleActionHeartbeatCommand(ref)); // expires 300 s from now
    sim.advanceLifecycleClock(250_000);
    expect(sim.completed).toEqual([]);
    // heartbeat every 250 s up to the 30 000 s global timeout
    for (let t = 500; t < 29_700; t += 250) {
      await asg.send(new RecordLifecycleActionHeartbeatCommand(ref));
      sim.advanceLifecycleClock(250_000);
    }
    expect(sim.world.active).toHaveLength(1);
    await asg.send(new RecordLifecycleActionHeartbeatCommand(ref));
    sim.advanceLifecycleClock(250_000); // past start + 30 000 s: the heartbeat did not extend it
    expect(sim.completed).toEqual([expect.objectContaining({ result: 'CONTINUE', timedOut: true })]);
    await expect(asg.send(new RecordLifecycleActionHeartbeatCommand(ref))).rejects.toMatchObject({
      name: 'ValidationError',
      message: `No active Lifecycle Action found with instance ID ${ID_A}`,
    });
  });

  it('applies the DefaultResult (ABANDON) when no heartbeat comes', async () => {
    sim.startLifecycleAction(ID_A, 'nth');
    sim.advanceLifecycleClock(300_000);
    const out = await asg.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [ID_A] }));
    expect(out.AutoScalingInstances?.[0]?.LifecycleState).toBe('Terminating:Proceed');
    expect(sim.completed).toEqual([
      expect.objectContaining({ instanceId: ID_A, result: 'ABANDON', heartbeats: 0, timedOut: true }),
    ]);
  });

  it('injects a fault for N calls, then answers normally; records calls with status', async () => {
    sim.fail('DescribeInstances', { code: 'RequestLimitExceeded', status: 503, times: 2 });
    const cmd = new DescribeInstancesCommand({ InstanceIds: [ID_A] });
    await expect(ec2.send(cmd)).rejects.toMatchObject({ name: 'RequestLimitExceeded' });
    await expect(ec2.send(cmd)).rejects.toMatchObject({ $metadata: { httpStatusCode: 503 } });
    await expect(ec2.send(cmd)).resolves.toBeDefined();
    expect(sim.callsOf('DescribeInstances').map((c) => c.status)).toEqual([503, 503, 200]);

    sim.fail('CompleteLifecycleAction', { code: 'Throttling', status: 400 });
    const complete = new CompleteLifecycleActionCommand({
      AutoScalingGroupName: 'ng-1',
      LifecycleHookName: 'nth',
      InstanceId: ID_A,
      LifecycleActionResult: 'CONTINUE',
    });
    await expect(asg.send(complete)).rejects.toMatchObject({ name: 'Throttling' });
    await expect(asg.send(complete)).rejects.toMatchObject({ name: 'Throttling' });
    sim.clearFaults();
    await expect(asg.send(complete)).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it('delays answers by latencyMs', async () => {
    sim.latencyMs = 80;
    const started = performance.now();
    await ec2.send(new DescribeInstancesCommand({}));
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
  });
});
