/** deploy/aws/cloudformation.yaml: the queue, its policy, one EventBridge rule per kind we parse, the IAM policy. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, YAMLSeq } from 'yaml';
import type { Tags } from 'yaml';
import { ROOT } from './helm.js';
import type { Loose } from './helm.js';

/** CloudFormation short-form intrinsics, turned into their long form. */
const INTRINSICS: Tags = [
  'Ref',
  'Sub',
  'GetAtt',
  'Not',
  'Equals',
  'If',
  'Join',
  'Select',
  'Split',
  'And',
  'Or',
].flatMap((name) => {
  const key = name === 'Ref' ? 'Ref' : `Fn::${name}`;
  const resolve = (value: unknown) => {
    const plain = value instanceof YAMLSeq ? value.toJSON() : value;
    return { [key]: name === 'GetAtt' && typeof plain === 'string' ? plain.split('.') : plain };
  };
  return [
    { tag: `!${name}`, resolve },
    { tag: `!${name}`, collection: 'seq' as const, resolve },
  ];
});

/** Parses a CloudFormation template with its intrinsic tags. */
export function parseTemplate(text: string): Loose {
  return parse(text, { customTags: INTRINSICS });
}

const template = parseTemplate(readFileSync(join(ROOT, 'deploy/aws/cloudformation.yaml'), 'utf8'));
const resources = Object.entries(template.Resources as Record<string, Loose>);
const rules = resources.filter(([, r]) => r.Type === 'AWS::Events::Rule');

/** The (source, detail-type) pairs the template's EventBridge rules send to the queue. */
export const COVERED_EVENTS: readonly string[] = rules
  .flatMap(([, r]) =>
    (r.Properties.EventPattern.source as string[]).flatMap((source) =>
      (r.Properties.EventPattern['detail-type'] as string[]).map((type) => `${source}|${type}`),
    ),
  )
  .sort();

// TODO(lead): the queue parsers (src/events/queue/parse-queue-message.ts) keep their table private; export it as
// SUPPORTED_EVENTS ('source|detail-type' strings) and this test uses it instead of the copy below.
const FALLBACK_SUPPORTED = [
  'aws.ec2|EC2 Spot Instance Interruption Warning',
  'aws.ec2|EC2 Instance Rebalance Recommendation',
  'aws.ec2|EC2 Instance State-change Notification',
  'aws.health|AWS Health Event',
  'aws.autoscaling|EC2 Instance-terminate Lifecycle Action',
  'aws.autoscaling|EC2 Instance-launch Lifecycle Action',
];

async function supportedEvents(): Promise<string[]> {
  const parsers: Record<string, unknown> = await import('../../../src/events/queue/parse-queue-message.js');
  const exported = parsers.SUPPORTED_EVENTS;
  const list = Array.isArray(exported) ? (exported as unknown[]).map(String) : FALLBACK_SUPPORTED;
  // Direct ASG notifications reach the queue without EventBridge (no rule needed).
  return list.filter((e) => !e.endsWith('|direct lifecycle notification')).sort();
}

function byType(type: string): [string, Loose][] {
  return resources.filter(([, r]) => r.Type === type);
}

describe('CloudFormation template', () => {
  it('has an EventBridge rule for every kind the queue parsers accept, and no other', async () => {
    expect(COVERED_EVENTS).toEqual(await supportedEvents());
    for (const [name, rule] of rules) {
      expect(rule.Properties.Targets, name).toEqual([
        { Id: 'spot-handler-queue', Arn: { 'Fn::GetAtt': ['Queue', 'Arn'] } },
      ]);
    }
  });

  it('sends only the state changes that take an instance away, and only EC2 scheduled changes', () => {
    const pattern = (type: string): Loose =>
      rules.find(([, r]) => r.Properties.EventPattern['detail-type'][0] === type)![1].Properties.EventPattern;
    expect(pattern('EC2 Instance State-change Notification').detail).toEqual({
      state: ['stopping', 'stopped', 'shutting-down', 'terminated'],
    });
    expect(pattern('AWS Health Event').detail).toEqual({
      service: ['EC2'],
      eventTypeCategory: ['scheduledChange'],
    });
  });

  it('keeps messages 5 minutes, encrypted', () => {
    const [[, queue]] = byType('AWS::SQS::Queue') as [[string, Loose]];
    expect(queue.Properties).toMatchObject({ MessageRetentionPeriod: 300, SqsManagedSseEnabled: true });
  });

  it('lets EventBridge send only from our rules, and SQS only from this account', () => {
    const [[, policy]] = byType('AWS::SQS::QueuePolicy') as [[string, Loose]];
    const statements: Loose[] = policy.Properties.PolicyDocument.Statement;
    const events = statements.find((s) => s.Principal?.Service === 'events.amazonaws.com');
    expect(events.Action).toBe('sqs:SendMessage');
    const ruleArns = rules.map(([name]) => ({ 'Fn::GetAtt': [name, 'Arn'] }));
    expect(events.Condition.ArnEquals['aws:SourceArn']).toEqual(ruleArns);
    const sqs = statements.find((s) => s.Principal?.Service === 'sqs.amazonaws.com');
    expect(sqs.Condition.StringEquals['aws:SourceAccount']).toEqual({ Ref: 'AWS::AccountId' });
  });

  it('grants the handler exactly the AWS calls queue mode makes', () => {
    const [[, policy]] = byType('AWS::IAM::ManagedPolicy') as [[string, Loose]];
    const actions = (policy.Properties.PolicyDocument.Statement as Loose[]).flatMap((s) => {
      expect(s.Effect).toBe('Allow');
      return s.Action as string[];
    });
    expect(actions.sort()).toEqual([
      'autoscaling:CompleteLifecycleAction',
      'autoscaling:DescribeLifecycleHooks',
      'autoscaling:RecordLifecycleActionHeartbeat',
      'ec2:DescribeInstances',
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:ReceiveMessage',
    ]);
  });

  it('creates the ASG lifecycle hook only when a group name is given', () => {
    const [[, hook]] = byType('AWS::AutoScaling::LifecycleHook') as [[string, Loose]];
    expect(hook.Condition).toBe('CreateLifecycleHook');
    expect(template.Conditions.CreateLifecycleHook).toEqual({
      'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AutoScalingGroupName' }, ''] }],
    });
    expect(hook.Properties).toMatchObject({
      LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING',
      DefaultResult: 'CONTINUE',
    });
  });

  it('refers only to parameters, resources and pseudo parameters that exist', () => {
    const known = new Set([...Object.keys(template.Parameters), ...Object.keys(template.Resources)]);
    const refs: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        for (const [k, v] of Object.entries(node)) {
          if (k === 'Ref') refs.push(String(v));
          else if (k === 'Fn::GetAtt') refs.push(String((v as string[])[0]));
          else if (k === 'Fn::Sub')
            refs.push(...[...String(v).matchAll(/\$\{([^}.]+)[^}]*\}/g)].map((m) => m[1]!));
          walk(v);
        }
      }
    };
    walk(template.Resources);
    walk(template.Outputs);
    expect(refs.length).toBeGreaterThan(10);
    expect(refs.filter((r) => !known.has(r) && !r.startsWith('AWS::'))).toEqual([]);
  });
});
