/**
 * IMDS mode (DaemonSet): polls this instance's metadata and acts on its own node only. At idle it makes
 * no request to the Kubernetes API server, and does not even load the Kubernetes client: the pipeline
 * (client-node, ~20 MiB of a pod that runs on every node) is loaded when the first notice arrives,
 * which costs that first cordon a fraction of a second (docs/performance.md).
 */
import { access, constants } from 'node:fs/promises';
import { HopLimitWatch } from './imds-hop-limit.js';
import { ImdsClient } from '../aws/imds-client.js';
import type { EventCancellation, InterruptionEvent, ParseOutcome } from '../events/interruption-event.js';
import { ImdsPoller } from '../sources/imds-poller.js';
import type { ImdsInstanceIdentity } from '../sources/imds-identity.js';
import { ConfigError } from '../errors.js';
import { anyClusterCredentials, NO_CREDENTIALS } from '../kube/no-credentials.js';
import type { ModeRunner } from './mode-context.js';
import type { Notifier } from '../pipeline/executor-ports.js';
import type { ModeContext } from './mode-context.js';
import { buildNotifier } from './build-webhook-notifier.js';
import { restoreAfterReboot, uptimeSeconds } from './reboot-restore.js';

/** How often events whose action failed are offered again (the store decides whether to retry). */
const RESUBMIT_INTERVAL_MS = 15_000;

/** Runs IMDS mode until the signal aborts. */
export const run: ModeRunner = async (ctx) => {
  const { config, logger, clock, metrics, signal } = ctx;
  ctx.setReady('imds', false, 'reading identity'); // first, synchronously: see app.ts
  const nodeName = config.general.nodeName;
  if (!nodeName) throw new Error('NODE_NAME is required in imds mode');
  // a kubeconfig that cannot be read is a setup error: say so at start, not at the first notice
  if (config.kube.kubeconfig) await access(config.kube.kubeconfig, constants.R_OK);
  // no cluster reachable at all: refuse to start now (the client itself is loaded on the first notice)
  if (!(await anyClusterCredentials(config.kube))) throw new ConfigError([NO_CREDENTIALS]);
  // webhooks show what IMDS said about this instance (read with the identity, before any notice)
  let identity: () => ImdsInstanceIdentity | undefined = () => undefined;
  const notifier = await buildNotifier(ctx, { factsFor: async () => identity() });
  let loaded: Promise<Awaited<ReturnType<typeof loadPipeline>>> | undefined;
  const load = () => (loaded ??= loadPipeline(ctx, nodeName, notifier));
  const active = new Map<string, InterruptionEvent>();
  const log = logger.child({ component: 'imds-mode', node: nodeName });

  const submit = (event: InterruptionEvent): void => {
    active.set(event.id, event);
    void load()
      .then(({ pipeline }) => pipeline.submit(event))
      .then((outcome) => {
        if (outcome.status === 'done' || outcome.status === 'ignored') active.delete(event.id);
      })
      .catch((err: unknown) => log.error({ err, eventId: event.id }, 'could not start the node action'));
  };
  const cancel = (c: EventCancellation): void => {
    active.delete(c.eventId);
    void load()
      .then(({ pipeline }) => pipeline.cancel(c, nodeName))
      .catch((err: unknown) => log.error({ err, eventId: c.eventId }, 'cancel failed'));
  };
  const onOutcome = (outcome: ParseOutcome, path: string): void => {
    switch (outcome.type) {
      case 'event':
        for (const e of outcome.events) submit({ ...e, nodeName });
        return;
      case 'cancel':
        for (const c of outcome.cancellations) cancel(c);
        return;
      case 'ignore':
        return; // counted by the poller
      case 'invalid':
        log.warn(
          { path, reason: outcome.reason, detail: outcome.detail },
          'IMDS returned a body we cannot use',
        );
        return;
    }
  };

  const imds = new ImdsClient({
    endpoint: config.imds.metadataUrl,
    timeoutMs: config.imds.timeoutMs,
    allowV1Fallback: config.imds.v1Fallback,
  });
  const poller = new ImdsPoller(
    { imds, consumer: { onOutcome }, clock, logger, metrics },
    {
      nodeName,
      pollIntervalMs: config.imds.pollIntervalMs,
      enable: {
        spot: config.imds.enableSpotInterruptionDraining,
        rebalance: config.imds.enableRebalanceMonitoring || config.imds.enableRebalanceDraining,
        scheduled: config.imds.enableScheduledEventDraining,
        asgLifecycle: config.imds.enableAsgLifecycleDraining,
      },
      scheduledLeadMs: config.imds.scheduledEventLeadSeconds * 1000,
      rebalanceHorizonMs: (config.imds.rebalanceCordonTtlSeconds || 1800) * 1000,
      asgTerminationHorizonMs: config.drain.nodeTerminationGracePeriodSeconds * 1000,
    },
  );

  identity = () => poller.identity;
  const heartbeat = ctx.liveness.register('imds-poller', Math.max(30_000, config.imds.pollIntervalMs * 10));
  const hopLimit = new HopLimitWatch(log, metrics);
  const updateReady = (): void => {
    // with IMDSv1 fallback the polls may still succeed: then the timeout is no outage
    const hint = hopLimit.update(imds.tokenTimedOut && !(poller.ready && poller.healthy));
    ctx.setReady(
      'imds',
      poller.ready,
      hint ?? (poller.ready ? (poller.healthy ? 'ok' : 'errors, backing off') : 'reading identity'),
    );
  };
  // Readiness follows the poller closely (cheap, in memory): ready as soon as the identity is read, and
  // the detail says within a moment whether IMDS is answering. The watchdog below runs every few seconds.
  const readiness = setInterval(updateReady, 100);
  readiness.unref();
  const watchdog = setInterval(
    () => {
      heartbeat.beat();
      for (const e of active.values()) submit(e);
    },
    Math.min(RESUBMIT_INTERVAL_MS, config.imds.pollIntervalMs * 5),
  );
  watchdog.unref();
  log.info({ uptimeFile: config.imds.uptimeFromFile }, 'IMDS mode starting');
  if (config.imds.enableScheduledEventDraining) {
    void uptimeSeconds(config.imds.uptimeFromFile)
      .then(async (up) =>
        restoreAfterReboot({
          // only a node booted minutes ago is read (and the client loaded for it)
          actuator: {
            getNode: async (name) => (await load()).actuator.getNode(name),
            unmark: async (name) => (await load()).actuator.unmark(name),
          },
          nodeName,
          nowMs: clock.now(),
          uptimeSeconds: up,
          dryRun: config.general.dryRun,
          logger: log,
        }),
      )
      .catch((err: unknown) => log.warn({ err }, 'could not check the node after a reboot'));
  }
  try {
    await poller.run(signal);
  } finally {
    clearInterval(watchdog);
    clearInterval(readiness);
    heartbeat.stop();
    imds.close();
    if (loaded) {
      const { pipeline, kube } = await loaded;
      await pipeline.shutdown(config.general.shutdownGraceSeconds * 1000);
      kube.kubeConfig.destroy();
    }
  }
  return 0;
};

/** Loads the Kubernetes client and builds the pipeline (on the first notice). */
async function loadPipeline(ctx: ModeContext, nodeName: string, notifier: Notifier) {
  const started = performance.now();
  const { buildPipeline, kubeClients } = await import('./node-actions.js');
  const kube = kubeClients(ctx.config, ctx.clock);
  const { pipeline, actuator } = buildPipeline(ctx, kube, {
    resolver: { resolve: async () => nodeName },
    notifier,
    canAct: () => true,
    workers: 1,
  });
  ctx.logger.info({ loadMs: Math.round(performance.now() - started) }, 'Kubernetes client loaded');
  return { pipeline, actuator, kube };
}

export type { ModeContext };
