/**
 * Start-up validation of webhook templates: parse, render with a full and a minimal sample (like NTH,
 * which executes the template once at start-up), check JSON; list every problem.
 */
import { TemplateError, compileTemplate, renderTemplate, type TemplateData } from './template.js';

/** Sample data for start-up validation. */
export const SAMPLE_TEMPLATE_DATA: TemplateData = {
  kind: 'spot-interruption',
  eventId: 'spot-itn-0123456789abcdef0-1795946400000',
  instanceId: 'i-0123456789abcdef0',
  node: 'ip-10-0-0-1.ec2.internal',
  region: 'us-east-1',
  availabilityZone: 'us-east-1a',
  instanceType: 'm5.large',
  deadlineMs: Date.parse('2026-11-29T10:02:00Z'),
  noticedAtMs: Date.parse('2026-11-29T10:00:00Z'),
  result: 'blocked',
  trigger: 'failure',
  podsEvicted: 3,
  podsForceDeleted: 1,
  blockedBy: [
    { namespace: 'shop', name: 'db-0', pdb: 'db', reason: 'pdb', message: 'Cannot evict ""quoted"' },
  ],
  surges: [{ namespace: 'shop', name: 'cart', kind: 'Deployment', result: 'surged', replacementMs: 8400 }],
  durationSeconds: 42.5,
  description: 'Spot "terminate" at 2026-11-29T10:02:00Z',
  clusterName: 'prod',
  source: 'imds',
  autoScalingGroupName: 'prod-spot-asg',
  providerId: 'aws:///us-east-1a/i-0123456789abcdef0',
  nodeLabels: { 'topology.kubernetes.io/zone': 'us-east-1a', 'node.kubernetes.io/instance-type': 'm5.large' },
  pods: ['shop/db-0', 'shop/web-7d9f-abcde'],
  isManaged: true,
  state: 'active',
  accountId: '123456789012',
  instanceLifeCycle: 'spot',
  publicHostname: 'ec2-203-0-113-10.compute-1.amazonaws.com',
  publicIp: '203.0.113.10',
  localHostname: 'ip-10-0-0-1.ec2.internal',
  localIp: '10.0.0.1',
};

/** The least a report carries (queue mode, start trigger): validation renders this too. */
export const MINIMAL_TEMPLATE_DATA: TemplateData = {
  kind: 'state-change',
  eventId: 'state-change-i-0123456789abcdef0',
  instanceId: 'i-0123456789abcdef0',
  trigger: 'start',
  source: 'sqs',
};

/** Start-up check: parses and renders with sample data; errors make the template unusable, warnings do not. */
export function validateTemplate(source: string): { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  try {
    const compiled = compileTemplate(source);
    for (const f of compiled.unknownFields) warnings.push(`unknown field "${f}" renders as an empty string`);
    for (const sample of [SAMPLE_TEMPLATE_DATA, MINIMAL_TEMPLATE_DATA]) {
      const body = renderTemplate(compiled, sample, Date.parse('2026-11-29T10:00:00Z'));
      if (!compiled.json) continue;
      try {
        JSON.parse(body);
      } catch (err) {
        errors.push(`template looks like JSON but renders invalid JSON: ${(err as Error).message}`);
        break;
      }
    }
  } catch (err) {
    errors.push(err instanceof TemplateError ? err.message : String(err));
  }
  return { errors, warnings };
}
