/** Start-up validation of webhook templates: parse, render with sample data, check JSON; list every problem. */
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
  durationSeconds: 42.5,
  description: 'Spot "terminate" at 2026-11-29T10:02:00Z',
  clusterName: 'prod',
};

/** Start-up check: parses and renders with sample data; errors make the template unusable, warnings do not. */
export function validateTemplate(source: string): { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  try {
    const compiled = compileTemplate(source);
    for (const f of compiled.unknownFields) warnings.push(`unknown field "${f}" renders as an empty string`);
    const body = renderTemplate(compiled, SAMPLE_TEMPLATE_DATA);
    if (compiled.json) {
      try {
        JSON.parse(body);
      } catch (err) {
        errors.push(`template looks like JSON but renders invalid JSON: ${(err as Error).message}`);
      }
    }
  } catch (err) {
    errors.push(err instanceof TemplateError ? err.message : String(err));
  }
  return { errors, warnings };
}
