/** Go text/template and fmt semantics, one line each (expected values from Go's documented behaviour). */
import { describe, expect, it } from 'vitest';
import { formatGoTime, sprintf } from '../../../../src/report/go-template/go-format.js';
import { compileTemplate, renderTemplate } from '../../../../src/report/template.js';
import { SAMPLE_TEMPLATE_DATA } from '../../../../src/report/template-validate.js';

const T = Date.parse('2026-03-04T05:06:07.089Z');
const render = (tpl: string): string =>
  renderTemplate(compileTemplate(tpl), SAMPLE_TEMPLATE_DATA, Date.parse('2026-11-29T10:00:00Z'));

describe('formatGoTime', () => {
  it.each([
    ['2006-01-02T15:04:05Z07:00', '2026-03-04T05:06:07Z'],
    ['2006-01-02T15:04:05.000Z07:00', '2026-03-04T05:06:07.089Z'],
    ['15:04:05.999', '05:06:07.089'],
    ['Mon Jan _2 15:04:05 MST 2006', 'Wed Mar  4 05:06:07 UTC 2026'],
    ['Monday, January 2, 2006 3:04PM', 'Wednesday, March 4, 2026 5:06AM'],
    ['02/01/06 03:04 pm -0700', '04/03/26 05:06 am +0000'],
    ['day 002 of 2006', 'day 063 of 2026'],
    ['2006-01-02', '2026-03-04'],
  ])('%s', (layout, want) => {
    expect(formatGoTime(T, layout)).toBe(want);
  });
});

describe('sprintf', () => {
  it.each([
    ['%s=%d', ['a', 3], 'a=3'],
    ['%-6s|%6s|', ['ab', 'cd'], 'ab    |    cd|'],
    ['%05d %x %X %t', [42, 255, 255, true], '00042 ff FF true'],
    ['%.2f %q %v', [3.14159, 'a"b', ['x', 'y']], '3.14 "a\\"b" [x y]'],
    ['%d', ['x'], '%!d(string=x)'],
    ['%s %s', ['x'], 'x %!s(MISSING)'],
    ['100%%', [], '100%'],
  ])('%s %j', (format, args, want) => {
    expect(sprintf(format, args)).toBe(want);
  });
});

describe('template semantics', () => {
  it.each([
    ['{{ if and .Pods (not .EndTime.IsZero) }}a{{ else }}b{{ end }}', 'b'],
    ['{{ if or "" .Region }}{{ .Region | len }}{{ end }}', '9'],
    ['{{ with $x := .Region }}{{ $x }}/{{ . }}{{ end }}', 'us-east-1/us-east-1'],
    ['{{ $n := 0 }}{{ range .Pods }}{{ $n = add $n 1 }}{{ end }}{{ $n }}', '2'],
    [
      '{{ range $k, $v := .NodeLabels }}{{ $k }}={{ $v }};{{ end }}',
      'node.kubernetes.io/instance-type=m5.large;topology.kubernetes.io/zone=us-east-1a;',
    ],
    [
      '{{ range .Pods }}{{ if eq . "shop/db-0" }}{{ continue }}{{ end }}{{ . }}{{ end }}',
      'shop/web-7d9f-abcde',
    ],
    ['{{ range .Pods }}{{ . }}{{ break }}{{ end }}', 'shop/db-0'],
    ['{{ range .Nothing }}x{{ else }}none{{ end }}', 'none'],
    ['{{ eq .Kind "X" "SPOT_ITN" }} {{ ne 1 2 }} {{ lt 1 2 }} {{ ge "b" "a" }}', 'true true true true'],
    ['{{ print 1 2 "a" 3 }}|{{ println "a" 1 }}', '1 2a3|a 1\n'],
    ['{{ printf "%s/%s" .Region .AvailabilityZone | upper }}', 'US-EAST-1/US-EAST-1A'],
    [
      '{{ (.StartTime).Unix }} {{ .StartTime.UTC.Format "15:04" }}',
      `${Date.parse('2026-11-29T10:02:00Z') / 1000} 10:02`,
    ],
    ['{{ len .Pods }} {{ index .Pods 1 }} {{ slice .InstanceID 0 5 }}', '2 shop/web-7d9f-abcde i-012'],
    [
      '{{ join ", " .Pods }} {{ .Pods | toJson }}',
      'shop/db-0, shop/web-7d9f-abcde ["shop/db-0","shop/web-7d9f-abcde"]',
    ],
    [
      '{{ "a-b" | replace "-" "_" | quote }} {{ trunc 3 "abcdef" }} {{ title "hello world" }}',
      '"a_b" abc Hello World',
    ],
    ['{{ ternary "y" "n" .IsManaged }} {{ coalesce "" .Region }} {{ empty .State }}', 'y us-east-1 false'],
    ['{{ now | date "2006-01-02" }} {{ date "15:04" .StartTime }}', '2026-11-29 10:02'],
    ['{{/* a comment */}}x{{- /* trimmed */ -}}  y', 'xy'],
    ['{{ `raw "string"` }} {{ 0x10 }} {{ -3 }} {{ 1.5 }} {{ nil }}', 'raw "string" 16 -3 1.5 <nil>'],
    ['{{ html "<a&b>" }} {{ urlquery "a b&c" }} {{ js "it\'s" }}', "&lt;a&amp;b&gt; a+b%26c it\\'s"],
    ['{{ "}}" }}', '}}'],
  ])('%s', (tpl, want) => {
    expect(render(tpl)).toBe(want);
  });
});
