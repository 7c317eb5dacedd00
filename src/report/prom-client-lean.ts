/**
 * prom-client's classes, each imported from its own file. The package's index also loads the
 * Pushgateway (node:https, tls, url, zlib) and the cluster aggregator (node:cluster), which the daemon
 * never uses and which cost ~2 MiB RSS on every node of an IMDS DaemonSet (ADR 0007). Same module files
 * as the index's, so a Registry from 'prom-client' (tests) and these metrics are one and the same class.
 */
import type * as Prom from 'prom-client';
import counter from 'prom-client/lib/counter.js';
import defaultMetrics from 'prom-client/lib/defaultMetrics.js';
import gauge from 'prom-client/lib/gauge.js';
import histogram from 'prom-client/lib/histogram.js';
import registry from 'prom-client/lib/registry.js';

export const Counter = counter as typeof Prom.Counter;
export const Gauge = gauge as typeof Prom.Gauge;
export const Histogram = histogram as typeof Prom.Histogram;
export const Registry = registry as typeof Prom.Registry;
export const collectDefaultMetrics = defaultMetrics as typeof Prom.collectDefaultMetrics;
export type Counter<T extends string = string> = Prom.Counter<T>;
export type Gauge<T extends string = string> = Prom.Gauge<T>;
export type Histogram<T extends string = string> = Prom.Histogram<T>;
export type Registry = Prom.Registry;
