import { describe, expect, it } from 'vitest';
import { loadConfig, type Env } from '../../../src/config/load-config.js';

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/spot-events';
const IMDS_ENV: Env = { NODE_NAME: 'ip-10-0-0-1.ec2.internal' };
const QUEUE_ENV: Env = { QUEUE_URL };

describe('loadConfig: defaults and shape', () => {
  it('gives the documented defaults in imds mode, frozen', () => {
    const { config, warnings } = loadConfig('imds', [], IMDS_ENV);
    expect(warnings).toEqual([]);
    expect(config.mode).toBe('imds');
    expect(config.general).toMatchObject({
      nodeName: 'ip-10-0-0-1.ec2.internal',
      logLevel: 'info',
      httpPort: 8080,
    });
    expect(config.drain).toMatchObject({
      nodeTerminationGracePeriodSeconds: 120,
      podTerminationGracePeriodSeconds: -1,
    });
    expect(config.imds.metadataUrl).toBe('http://169.254.169.254');
    expect(config.node).toMatchObject({
      taintNode: true,
      taintEffect: 'NoSchedule',
      kubernetesEventsExtraAnnotations: {},
    });
    expect(config.webhook.events).toEqual(['start', 'success', 'failure']);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.webhook.events)).toBe(true);
    expect(() => {
      (config.general as { dryRun: boolean }).dryRun = true;
    }).toThrow(TypeError);
  });

  it('derives region from the queue URL, lease namespace from POD_NAMESPACE, in-cluster from the service env', () => {
    const { config } = loadConfig('queue', [], {
      ...QUEUE_ENV,
      POD_NAMESPACE: 'spot',
      KUBERNETES_SERVICE_HOST: '10.0.0.1',
      KUBERNETES_SERVICE_PORT: '443',
    });
    expect(config.aws.region).toBe('eu-west-1');
    expect(config.queue.leaseNamespace).toBe('spot');
    expect(config.kube.inCluster).toBe(true);
  });

  it.each([
    [{ AWS_REGION: 'us-west-2' }, 'us-west-2'],
    [{ AWS_DEFAULT_REGION: 'ap-south-1' }, 'ap-south-1'],
    [{ AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'ap-south-1' }, 'us-west-2'],
    [{}, 'eu-west-1'],
  ])('region precedence %o → %s', (env, region) => {
    expect(loadConfig('queue', [], { ...QUEUE_ENV, ...env }).config.aws.region).toBe(region);
  });
});

describe('loadConfig: precedence flags > env > defaults', () => {
  it.each([
    [[], {}, 8080],
    [[], { HTTP_PORT: '9000' }, 9000],
    [['--http-port', '9100'], { HTTP_PORT: '9000' }, 9100],
    [['--http-port=9200'], { HTTP_PORT: '9000', PROBES_SERVER_PORT: '9001' }, 9200],
    [[], { HTTP_PORT: '', PROBES_SERVER_PORT: '9001' }, 9001],
    [[], { HTTP_PORT: '   ' }, 8080],
    [['--probes-server-port', '9300'], { HTTP_PORT: '9000' }, 9300],
  ])('argv %j env %j → httpPort %d', (argv, env, port) => {
    expect(loadConfig('imds', argv, { ...IMDS_ENV, ...env }).config.general.httpPort).toBe(port);
  });

  it('the last occurrence of a flag wins', () => {
    expect(
      loadConfig('imds', ['--log-level=debug', '--log-level', 'warn'], IMDS_ENV).config.general.logLevel,
    ).toBe('warn');
  });

  it('warns when two env names of one option disagree, naming the winner', () => {
    const { config, warnings } = loadConfig('imds', [], {
      ...IMDS_ENV,
      HTTP_PORT: '8080',
      PROBES_SERVER_PORT: '9090',
    });
    expect(config.general.httpPort).toBe(8080);
    expect(warnings).toEqual([expect.stringContaining('PROBES_SERVER_PORT ignored, env HTTP_PORT')]);
  });

  it.each([
    ['NTH metrics on', { ENABLE_PROMETHEUS_SERVER: 'true', PROMETHEUS_SERVER_PORT: '9092' }, true, 9092],
    ['NTH metrics on, default port', { ENABLE_PROMETHEUS_SERVER: 'true' }, true, 9092],
    [
      'NTH chart default (port set, server off)',
      { ENABLE_PROMETHEUS_SERVER: 'false', PROMETHEUS_SERVER_PORT: '9092' },
      false,
      9092,
    ],
    ['flags', {}, true, 9300],
  ] as const)('NTH metrics server: %s', (_n, env, on, port) => {
    const argv =
      Object.keys(env).length === 0 ? ['--enable-prometheus-server', '--prometheus-server-port', '9300'] : [];
    const { config, warnings } = loadConfig('imds', argv, {
      ...IMDS_ENV,
      PROBES_SERVER_PORT: '8080',
      ...env,
    });
    expect(config.general).toMatchObject({ httpPort: 8080, metricsServer: on, metricsPort: port });
    expect(warnings).toEqual([]);
  });
});

describe('loadConfig: booleans', () => {
  it.each([
    [['--dry-run'], {}, true],
    [['--dry-run=true'], {}, true],
    [['--dry-run=false'], { DRY_RUN: 'true' }, false],
    [['--no-dry-run'], { DRY_RUN: 'true' }, false],
    [[], { DRY_RUN: 'TRUE' }, true],
    [[], { DRY_RUN: '1' }, true],
    [[], { DRY_RUN: 'f' }, false],
    [[], { DRY_RUN: '' }, false],
  ])('argv %j env %j → dryRun %s', (argv, env, value) => {
    expect(loadConfig('imds', argv, { ...IMDS_ENV, ...env }).config.general.dryRun).toBe(value);
  });
});

describe('loadConfig: NTH aliases', () => {
  it('maps NTH env names onto ours', () => {
    const { config, warnings } = loadConfig('imds', [], {
      ...IMDS_ENV,
      NAMESPACE: 'nth-ns',
      DELETE_LOCAL_DATA: 'false',
      GRACE_PERIOD: '30',
      INSTANCE_METADATA_URL: 'http://127.0.0.1:1338',
      JSON_LOGGING: 'false',
      LOG_LEVEL: 'DEBUG',
    });
    expect(config.general).toMatchObject({ podNamespace: 'nth-ns', logFormat: 'pretty', logLevel: 'debug' });
    expect(config.drain).toMatchObject({ deleteEmptyDirData: false, podTerminationGracePeriodSeconds: 30 });
    expect(config.imds.metadataUrl).toBe('http://127.0.0.1:1338');
    expect(warnings).toEqual([]);
  });

  it('maps NTH queue-mode names and flags', () => {
    const { config } = loadConfig(
      'queue',
      ['--check-asg-tag-before-draining', '--sqs-msg-visibility-timeout-sec=60'],
      {
        ...QUEUE_ENV,
        MANAGED_ASG_TAG: 'team/managed',
        AWS_ENDPOINT: 'http://127.0.0.1:4566',
        JSON_LOGGING: 'true',
      },
    );
    expect(config.queue).toMatchObject({
      checkTagBeforeDraining: true,
      managedTag: 'team/managed',
      visibilityTimeoutSeconds: 60,
    });
    expect(config.aws.endpointUrl).toBe('http://127.0.0.1:4566');
    expect(config.general.logFormat).toBe('json');
  });

  it('accepts NTH options with no meaning for us, and lists each as a warning', () => {
    const { warnings } = loadConfig('imds', ['--metadata-tries', '5', '--use-apiserver-cache'], {
      ...IMDS_ENV,
      LOG_FORMAT_VERSION: '2',
      ENABLE_PROBES_SERVER: 'true',
      USE_PROVIDER_ID: 'true',
      ENABLE_SQS_TERMINATION_DRAINING: 'true',
    });
    for (const name of [
      'LOG_FORMAT_VERSION',
      '--use-apiserver-cache',
      'ENABLE_PROBES_SERVER',
      '--metadata-tries',
      'USE_PROVIDER_ID',
      'ENABLE_SQS_TERMINATION_DRAINING',
    ]) {
      expect(warnings.some((w) => w.startsWith(name))).toBe(true);
    }
  });

  it('is silent about ENABLE_SQS_TERMINATION_DRAINING when it agrees with the mode', () => {
    expect(
      loadConfig('queue', [], { ...QUEUE_ENV, ENABLE_SQS_TERMINATION_DRAINING: 'true' }).warnings,
    ).toEqual([]);
  });

  it('warns (not fails) for an option of the other mode, keeping its default', () => {
    const { config, warnings } = loadConfig('queue', [], {
      ...QUEUE_ENV,
      ENABLE_REBALANCE_DRAINING: 'true',
      WORKERS: '10',
    });
    expect(config.imds.enableRebalanceDraining).toBe(false);
    expect(config.queue.workers).toBe(10);
    expect(warnings).toEqual([
      expect.stringContaining(
        '--enable-rebalance-draining / ENABLE_REBALANCE_DRAINING: applies to imds mode only',
      ),
    ]);
  });
});

describe('loadConfig: webhook', () => {
  it('reads the URL and template from files, parses headers', () => {
    const files: Record<string, string> = {
      '/s/url': 'https://hooks.example.com/T/B/x\n',
      '/s/tpl': 'hello {{ .Kind }}',
    };
    const { config } = loadConfig(
      'imds',
      ['--webhook-url-file', '/s/url', '--webhook-template=inline'],
      {
        ...IMDS_ENV,
        WEBHOOK_TEMPLATE_FILE: '/s/tpl',
        WEBHOOK_HEADERS: '{"Authorization":"Bearer t"}',
        HTTPS_PROXY: 'http://proxy:3128',
        NO_PROXY: 'a.local, b.local',
      },
      { readFile: (p) => files[p] ?? '' },
    );
    expect(config.webhook).toMatchObject({
      url: 'https://hooks.example.com/T/B/x',
      template: 'hello {{ .Kind }}',
      headers: { Authorization: 'Bearer t' },
      proxyUrl: 'http://proxy:3128',
      noProxy: ['a.local', 'b.local'],
    });
  });
});
