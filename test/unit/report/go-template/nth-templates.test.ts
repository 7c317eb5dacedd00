/**
 * The webhook templates NTH documents (Slack, Chime, Teams) and the richer ones NTH users write
 * (Slack blocks with if/else if/range/with/printf/time layouts, a generic JSON receiver with every NTH
 * field), exactly as an NTH user keeps them in WEBHOOK_TEMPLATE or the template ConfigMap.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileTemplate, renderTemplate, type TemplateData } from '../../../../src/report/template.js';
import {
  MINIMAL_TEMPLATE_DATA,
  SAMPLE_TEMPLATE_DATA,
  validateTemplate,
} from '../../../../src/report/template-validate.js';

const fixture = (name: string): string =>
  readFileSync(join(import.meta.dirname, '../../../fixtures/nth-webhook-templates', name), 'utf8');
const render = (name: string, data: TemplateData = SAMPLE_TEMPLATE_DATA): unknown =>
  JSON.parse(renderTemplate(compileTemplate(fixture(name)), data, Date.parse('2026-11-29T10:00:00Z')));

describe('NTH webhook templates keep working', () => {
  it.each(['slack.tmpl', 'chime.tmpl', 'teams.tmpl', 'slack-blocks.tmpl', 'generic.tmpl'])(
    '%s passes start-up validation with no warnings',
    (name) => {
      expect(validateTemplate(fixture(name))).toEqual({ errors: [], warnings: [] });
    },
  );

  it('Chime and Teams bodies carry the NTH fields', () => {
    expect(render('chime.tmpl')).toEqual({
      Content:
        '[NTH][Instance Interruption] InstanceId: i-0123456789abcdef0 - InstanceType: m5.large - Kind: SPOT_ITN' +
        ' - Start Time: 2026-11-29T10:02:00Z',
    });
    expect(render('teams.tmpl')).toEqual({
      Summary: '[NTH][Instance Interruption]',
      Text:
        'InstanceId: i-0123456789abcdef0 - Node: ip-10-0-0-1.ec2.internal - InstanceType: m5.large' +
        ' - AvailabilityZone: us-east-1a - Start Time: 2026-11-29T10:02:00Z',
    });
  });

  it('Slack blocks: else-if chains, with, range with index, printf, time layouts', () => {
    const body = render('slack-blocks.tmpl') as {
      blocks: [{ text: { text: string } }, { elements: { text: string }[] }];
    };
    expect(body.blocks[0].text.text).toBe(
      '*:warning: Spot interruption* in us-east-1 (us-east-1a)\n' +
        'Instance `i-0123456789abcdef0` (m5.large, spot) of account 123456789012\n' +
        'Node `ip-10-0-0-1.ec2.internal` (aws:///us-east-1a/i-0123456789abcdef0)\n' +
        'Starts Sun, 29 Nov 2026 10:02:00 UTC (2026-11-29T10:02:00Z)',
    );
    expect(body.blocks[1].elements.map((e) => e.text)).toEqual([
      'Pods (2): shop/db-0, shop/web-7d9f-abcde',
      'SPOT_ITN_MONITOR|    2 pods|managed=true',
    ]);
    const rebalance = render('slack-blocks.tmpl', {
      ...MINIMAL_TEMPLATE_DATA,
      kind: 'rebalance-recommendation',
    }) as {
      blocks: [{ text: { text: string } }, { elements: { text: string }[] }];
    };
    expect(rebalance.blocks[0].text.text).toMatch(/^\*:recycle: Rebalance recommendation\* in {2}\(\)\n/);
    expect(rebalance.blocks[0].text.text).toContain('(, unknown)');
    expect(rebalance.blocks[1].elements[0]?.text).toBe('Pods (0): ');
  });

  it('generic receiver: every documented NTH field is filled', () => {
    const body = render('generic.tmpl', {
      ...SAMPLE_TEMPLATE_DATA,
      endTimeMs: Date.parse('2026-11-30T08:00:00Z'),
    });
    expect(body).toEqual({
      eventId: 'spot-itn-0123456789abcdef0-1795946400000',
      kind: 'SPOT_ITN',
      monitor: 'SPOT_ITN_MONITOR',
      description: 'Spot "terminate" at 2026-11-29T10:02:00Z',
      state: 'active',
      asg: 'prod-spot-asg',
      node: 'ip-10-0-0-1.ec2.internal',
      labels: { 'topology.kubernetes.io/zone': 'us-east-1a', 'node.kubernetes.io/instance-type': 'm5.large' },
      zone: 'us-east-1a',
      pods: ['shop/db-0', 'shop/web-7d9f-abcde'],
      instanceId: 'i-0123456789abcdef0',
      providerId: 'aws:///us-east-1a/i-0123456789abcdef0',
      instanceType: 'm5.large',
      lifecycle: 'spot',
      managed: true,
      start: '2026-11-29T10:02:00Z',
      startUnix: Date.parse('2026-11-29T10:02:00Z') / 1000,
      end: '2026-11-30 08:00',
      processed: true,
      inProgress: false,
      account: '123456789012',
      publicHostname: 'ec2-203-0-113-10.compute-1.amazonaws.com',
      publicIp: '203.0.113.10',
      localHostname: 'ip-10-0-0-1.ec2.internal',
      localIp: '10.0.0.1',
      az: 'us-east-1a',
      region: 'us-east-1',
    });
  });

  it('queue mode (no IMDS facts): the same template renders valid JSON with empty values', () => {
    const body = render('generic.tmpl', MINIMAL_TEMPLATE_DATA) as Record<string, unknown>;
    expect(body).toMatchObject({
      kind: 'STATE_CHANGE',
      monitor: 'SQS_MONITOR',
      pods: [],
      labels: {},
      end: '',
      account: '',
      inProgress: true,
    });
  });

  it('hostile values cannot break out of a JSON string, inside range too', () => {
    const evil = { ...SAMPLE_TEMPLATE_DATA, pods: ['a"},{"x":1', 'b\\'], description: '"\n' };
    const body = render('generic.tmpl', evil) as { pods: string[]; description: string };
    expect(body.pods).toEqual(['a"},{"x":1', 'b\\']);
    expect(body.description).toBe('"\n');
  });
});
