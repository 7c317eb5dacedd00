/** EC2 and Auto Scaling adapters against the Query API simulator, with the real SDK clients. */
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AsgHookCompleter } from '../../../src/actions/asg-hook-completer.js';
import {
  createAutoScalingClient,
  createEc2Client,
  type AwsClientOptions,
} from '../../../src/aws/aws-clients.js';
import { createAutoScalingLifecycle } from '../../../src/aws/autoscaling-lifecycle.js';
import { createEc2Instances } from '../../../src/aws/ec2-instances.js';
import { FakeClock } from '../../../src/clock.js';
import { NotFoundError, PermanentError, ThrottledError, TransientError } from '../../../src/errors.js';
import { ec2InstanceFacts } from '../../../src/modes/build-webhook-notifier.js';
import { createMetrics } from '../../../src/report/metrics.js';
import { startAwsQueryServer, type AwsQueryServer } from '../../../src/sandbox/aws-query-server.js';

let sim: AwsQueryServer;
let aws: AwsClientOptions;
beforeAll(async () => {
  sim = await startAwsQueryServer();
  aws = {
    region: 'us-east-1',
    endpoints: { ec2: sim.url, autoScaling: sim.url },
    maxAttempts: 1,
    credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
  };
});
afterAll(async () => {
  await sim.stop();
});

describe('Ec2Instances', () => {
  it('describes an instance, caches it, and answers undefined for unknown ids', async () => {
    sim.addInstance({
      instanceId: 'i-0aaaaaaaaaaaaaaa1',
      privateDnsName: 'ip-10-0-0-1.ec2.internal',
      tags: { team: 'a' },
    });
    const clock = new FakeClock();
    const client = await createEc2Client(aws);
    const ec2 = await createEc2Instances(client, clock, { ttlMs: 60_000 });
    const info = await ec2.describe('i-0aaaaaaaaaaaaaaa1');
    expect(info).toMatchObject({
      privateDnsName: 'ip-10-0-0-1.ec2.internal',
      state: 'running',
      tags: { team: 'a' },
    });
    const calls = sim.callsOf('DescribeInstances').length;
    await ec2.describe('i-0aaaaaaaaaaaaaaa1');
    expect(sim.callsOf('DescribeInstances')).toHaveLength(calls);
    await clock.advance(60_001);
    await ec2.describe('i-0aaaaaaaaaaaaaaa1');
    expect(sim.callsOf('DescribeInstances')).toHaveLength(calls + 1);
    expect(await ec2.describe('i-0bbbbbbbbbbbbbbb2')).toBeUndefined();
    sim.fail('DescribeInstances', { code: 'InternalError', status: 500, times: 1 });
    await expect(ec2.describe('i-0ccccccccccccccc3')).rejects.toBeInstanceOf(TransientError);
    sim.fail('DescribeInstances', { code: 'RequestLimitExceeded', status: 503, times: 1 });
    await expect(ec2.describe('i-0ccccccccccccccc3')).rejects.toBeInstanceOf(ThrottledError);
    client.destroy();
  });
});

describe('Ec2Instances: the instance facts webhooks show', () => {
  it('reads account, life cycle, private and public addresses; on-demand when EC2 names none', async () => {
    sim.addInstance({
      instanceId: 'i-0eeeeeeeeeeeeeee5',
      privateIpAddress: '10.0.7.7',
      publicDnsName: 'ec2-54-1-2-3.compute-1.amazonaws.com',
      publicIpAddress: '54.1.2.3',
      instanceLifecycle: 'spot',
    });
    sim.addInstance({ instanceId: 'i-0fffffffffffffff6', privateIpAddress: '10.0.7.8' });
    const client = await createEc2Client(aws);
    const ec2 = await createEc2Instances(client, new FakeClock());
    expect(ec2InstanceFacts(await ec2.describe('i-0eeeeeeeeeeeeeee5'))).toEqual({
      accountId: '000000000000',
      instanceLifeCycle: 'spot',
      localHostname: 'ip-10-0-7-7.ec2.internal',
      localIp: '10.0.7.7',
      publicHostname: 'ec2-54-1-2-3.compute-1.amazonaws.com',
      publicIp: '54.1.2.3',
    });
    expect(ec2InstanceFacts(await ec2.describe('i-0fffffffffffffff6'))).toEqual({
      accountId: '000000000000',
      instanceLifeCycle: 'on-demand',
      localHostname: 'ip-10-0-7-8.ec2.internal',
      localIp: '10.0.7.8',
    });
    expect(ec2InstanceFacts(undefined)).toBeUndefined();
    client.destroy();
  });
});

describe('AutoScalingLifecycle + AsgHookCompleter', () => {
  it('heartbeats, completes with CONTINUE once, and treats a second completion as done', async () => {
    sim.addInstance({ instanceId: 'i-0ddddddddddddddd4', autoScalingGroupName: 'asg-1' });
    sim.setHook({ groupName: 'asg-1', hookName: 'drain', heartbeatTimeoutSeconds: 120 });
    const token = sim.startLifecycleAction('i-0ddddddddddddddd4', 'drain');
    const client = await createAutoScalingClient(aws);
    const port = await createAutoScalingLifecycle(client);
    const hook = { groupName: 'asg-1', hookName: 'drain', token, instanceId: 'i-0ddddddddddddddd4' };
    const completer = new AsgHookCompleter(
      {
        port,
        clock: new FakeClock(),
        logger: pino({ level: 'silent' }),
        metrics: createMetrics(new Registry(), { version: 't', mode: 'q' }, { defaultMetrics: false }),
      },
      { heartbeatIntervalSeconds: -1, heartbeatUntilSeconds: -1 },
    );
    expect(await completer.heartbeatIntervalMs(hook)).toBe(60_000);
    await port.recordHeartbeat(hook);
    expect(await completer.complete(hook)).toBe('completed');
    expect(sim.completed).toEqual([expect.objectContaining({ token, result: 'CONTINUE', heartbeats: 1 })]);
    expect(await completer.complete(hook)).toBe('already-done');
    await expect(port.recordHeartbeat(hook)).rejects.toBeInstanceOf(NotFoundError);
    expect(await port.describeHook('asg-1', 'nope')).toBeUndefined();
    // AWS's GlobalTimeout: min(100 × HeartbeatTimeout, 48 h)
    expect(await port.describeHook('asg-1', 'drain')).toEqual({
      heartbeatTimeoutSeconds: 120,
      globalTimeoutSeconds: 12_000,
    });
    sim.fail('CompleteLifecycleAction', { code: 'AccessDenied', status: 403, times: 1 });
    await expect(port.complete(hook)).rejects.toBeInstanceOf(PermanentError);
    client.destroy();
  });
});
