import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TEMPLATE,
  MAX_OUTPUT_BYTES,
  MAX_TEMPLATE_BYTES,
  TemplateError,
  compileTemplate,
  renderTemplate,
  type TemplateData,
} from '../../../src/report/template.js';
import { SAMPLE_TEMPLATE_DATA, validateTemplate } from '../../../src/report/template-validate.js';

const render = (tpl: string, data: TemplateData = SAMPLE_TEMPLATE_DATA): string =>
  renderTemplate(compileTemplate(tpl), data);

const NTH_DEFAULT =
  '{"text":"[NTH][Instance Interruption] EventID: {{ .EventID }} - Kind: {{ .Kind }} - Instance: {{ .InstanceID }} - Node: {{ .NodeName }} - Description: {{ .Description }} - Start Time: {{ .StartTime }}"}';

describe('template: substitution', () => {
  it.each([
    ['{{ .EventID }}', SAMPLE_TEMPLATE_DATA.eventId],
    ['{{ eventId }}', SAMPLE_TEMPLATE_DATA.eventId],
    ['{{.InstanceID}}', 'i-0123456789abcdef0'],
    ['{{ .NodeName }}', 'ip-10-0-0-1.ec2.internal'],
    ['{{ node }}', 'ip-10-0-0-1.ec2.internal'],
    ['{{ .StartTime }}', '2026-11-29T10:02:00Z'],
    ['{{ noticedAt }}', '2026-11-29T10:00:00Z'],
    ['{{ .Deadline | date "unix" }}', String(Date.parse('2026-11-29T10:02:00Z') / 1000)],
    ['{{ .Deadline | date "human" }}', '2026-11-29 10:02:00 UTC'],
    ['{{ date .Deadline }}', '2026-11-29T10:02:00Z'],
    ['{{ podsEvicted }}/{{ podsForceDeleted }}', '3/1'],
    ['{{ durationSeconds }}', '42.5'],
    ['{{ kind | upper }}', 'SPOT-INTERRUPTION'],
    ['{{ .Pods }}|{{ .Monitor }}|{{ .Unknown }}', '[shop/db-0 shop/web-7d9f-abcde]|SPOT_ITN_MONITOR|'],
    ['{{ blockedBy }}', 'shop/db-0 (PDB db): pdb'],
    ['plain {{ trigger }} text', 'plain failure text'],
    ['a {{- " " -}}   b', 'a b'],
    ['{{ eventId | truncate 4 }}', 'spot'],
  ])('%s', (tpl, want) => {
    expect(render(tpl)).toBe(want);
  });

  it('applies default for missing values, pipe and Go style', () => {
    const data: TemplateData = { kind: 'state-change', eventId: 'e', instanceId: 'i', trigger: 'start' };
    expect(render('{{ .Region | default "unknown" }} {{ default "n/a" result }}', data)).toBe('unknown n/a');
    expect(render('{{ region }}{{ blockedBy | prefix "blocked: " }}', data)).toBe('');
  });

  it('renders the NTH default template with NTH field names', () => {
    const out = JSON.parse(render(NTH_DEFAULT)) as { text: string };
    expect(out.text).toBe(
      '[NTH][Instance Interruption] EventID: spot-itn-0123456789abcdef0-1795946400000 - Kind: SPOT_ITN' +
        ' - Instance: i-0123456789abcdef0 - Node: ip-10-0-0-1.ec2.internal' +
        ' - Description: Spot "terminate" at 2026-11-29T10:02:00Z - Start Time: 2026-11-29T10:02:00Z',
    );
  });
});

describe('template: JSON safety', () => {
  const hostile: TemplateData = {
    ...SAMPLE_TEMPLATE_DATA,
    description: 'x"}, "injected": true, {"a":"\\\n\u0000</script>',
    node: '"quoted"',
  };

  it('escapes values inside JSON strings so the body stays valid and nothing is injected', () => {
    const out = JSON.parse(render('{"text":"{{ description }} on {{ node }}"}', hostile)) as Record<
      string,
      unknown
    >;
    expect(Object.keys(out)).toEqual(['text']);
    expect(out.text).toBe(`${hostile.description} on "quoted"`);
  });

  it('writes JSON values outside strings: numbers bare, text quoted', () => {
    const out = JSON.parse(
      render('{"n": {{ podsEvicted }}, "d": {{ description }}, "u": {{ .Region }}}', hostile),
    );
    expect(out).toEqual({ n: 3, d: hostile.description, u: 'us-east-1' });
  });

  it('tracks escaped quotes in the template text', () => {
    expect(JSON.parse(render('{"t":"say \\"{{ node }}\\""}', hostile))).toEqual({ t: 'say ""quoted""' });
  });

  it('the default template renders valid Slack JSON for hostile data', () => {
    const out = JSON.parse(render(DEFAULT_TEMPLATE, hostile)) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(['text']);
    expect(out.text).toContain(hostile.description);
  });

  it('non-JSON templates substitute raw text', () => {
    expect(render('node={{ node }}', hostile)).toBe('node="quoted"');
  });
});

describe('template: errors and validation', () => {
  it.each([
    ['{{ .Kind | shell "rm -rf" }}', /function "shell" not defined/],
    ['{{ env "WEBHOOK_URL" }}', /function "env" not defined/],
    ['{{ .Kind', /unclosed action/],
    ['{{ .__proto__ }}', /field "__proto__" is not allowed/],
    ['{{ .Kind.constructor }}', /field "constructor" is not allowed/],
    ['{{ printf }}', /function "printf" takes at least 1 argument/],
    ['{{ }}', /empty action/],
    ['{{ if .Kind }}x', /"{{ if }}" has no "{{ end }}"/],
    ['x{{ end }}', /unexpected "end"/],
    ['{{ range .Pods }}{{ else }}a{{ else }}b{{ end }}', /second "{{ else }}"/],
    ['{{ $x }}', /undefined variable "\$x"/],
    ['{{ break }}', /"break" outside range/],
    ['{{ template "x" }}', /"template" is not supported/],
    ['{{ "x" "arg" }}', /only a function or method can take arguments/],
    ['{{ eq .Kind }}', /function "eq" takes at least 2 argument/],
  ])('rejects %s', (tpl, re) => {
    expect(() => compileTemplate(tpl)).toThrow(TemplateError);
    expect(() => compileTemplate(tpl)).toThrow(re);
    expect(validateTemplate(tpl).errors).toHaveLength(1);
  });

  it('reports run-time errors of a valid-looking template at start-up (sample render)', () => {
    expect(validateTemplate('{{ .StartTime.Bogus }}').errors[0]).toMatch(/can't evaluate field Bogus/);
    expect(validateTemplate('{{ if lt .Kind 3 }}x{{ end }}').errors[0]).toMatch(/incompatible types/);
    expect(validateTemplate('{{ .Kind "arg" }}').errors[0]).toMatch(/Kind is not a method/);
    // the minimal sample has no pods (NTH validates with empty data): an index that needs pods is caught
    expect(validateTemplate('{{ index .Pods 1 }}').errors[0]).toMatch(/index out of range/);
    expect(validateTemplate('{{ if .Pods }}{{ index .Pods 0 }}{{ end }}').errors).toEqual([]);
  });

  it('rejects templates over the size bound', () => {
    const big = 'x'.repeat(MAX_TEMPLATE_BYTES + 1);
    expect(() => compileTemplate(big)).toThrow(/larger than/);
    expect(() => compileTemplate('x'.repeat(MAX_TEMPLATE_BYTES))).not.toThrow();
  });

  it('rejects rendered output over the size bound', () => {
    const data = { ...SAMPLE_TEMPLATE_DATA, description: 'y'.repeat(MAX_OUTPUT_BYTES + 1) };
    expect(() => render('{{ description }}', data)).toThrow(/rendered body is larger/);
  });

  it('lists the problems at start-up: unknown fields warn, invalid JSON errs', () => {
    expect(validateTemplate(NTH_DEFAULT)).toEqual({ errors: [], warnings: [] });
    expect(validateTemplate(DEFAULT_TEMPLATE)).toEqual({ errors: [], warnings: [] });
    expect(validateTemplate('{"a":"{{ .Podz }}{{ range .Pods }}{{ .Name }}{{ end }}"}').warnings).toEqual([
      'unknown field ".Podz" renders as an empty string',
    ]);
    expect(validateTemplate('{"a": {{ kind }} }').errors).toEqual([]);
    expect(validateTemplate('{"a": {{ kind }}').errors[0]).toMatch(/renders invalid JSON/);
  });

  it('lists at most 10 blocking pods', () => {
    const blockedBy = Array.from({ length: 25 }, (_, i) => ({
      namespace: 'ns',
      name: `p${i}`,
      reason: 'pdb' as const,
      message: '',
    }));
    const out = render('{{ blockedBy }}', { ...SAMPLE_TEMPLATE_DATA, blockedBy });
    expect(out.split(';')).toHaveLength(11);
    expect(out).toMatch(/and 15 more$/);
  });
});
