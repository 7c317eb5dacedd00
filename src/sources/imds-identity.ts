/** Reads who this instance is from IMDS at start, retrying with back-off until it works or we stop. */
import type { Logger } from 'pino';
import { imdsFailureReason, type ImdsResponse } from '../aws/imds-client.js';
import type { Clock } from '../clock.js';
import type { Metrics } from '../report/metrics.js';

/** The identity facts the IMDS events carry, and what webhooks show (NTH's NodeMetadata). */
export interface ImdsInstanceIdentity {
  readonly instanceId: string;
  readonly instanceType?: string;
  readonly availabilityZone?: string;
  readonly region?: string;
  readonly accountId?: string;
  readonly instanceLifeCycle?: string;
  readonly localHostname?: string;
  readonly localIp?: string;
  readonly publicHostname?: string;
  readonly publicIp?: string;
}

/** IMDS identity paths. */
export const IDENTITY_PATHS = {
  instanceId: '/latest/meta-data/instance-id',
  instanceType: '/latest/meta-data/instance-type',
  availabilityZone: '/latest/meta-data/placement/availability-zone',
  region: '/latest/meta-data/placement/region',
} as const;

/** Paths read once for webhooks; any of them may be missing (404: no public address). */
export const FACT_PATHS = {
  identityDocument: '/latest/dynamic/instance-identity/document',
  instanceLifeCycle: '/latest/meta-data/instance-life-cycle',
  localHostname: '/latest/meta-data/local-hostname',
  localIp: '/latest/meta-data/local-ipv4',
  publicHostname: '/latest/meta-data/public-hostname',
  publicIp: '/latest/meta-data/public-ipv4',
} as const;

const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;

interface IdentityDeps {
  readonly imds: { get(path: string, signal?: AbortSignal): Promise<ImdsResponse> };
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** Not there yet: 404 or a body that is not an instance id. */
class IdentityMissing extends Error {}

async function readOnce(deps: IdentityDeps, signal: AbortSignal): Promise<ImdsInstanceIdentity> {
  const text = async (path: string): Promise<string | undefined> => {
    const res = await deps.imds.get(path, signal);
    return res.status === 200 ? res.body.trim() : undefined;
  };
  const [instanceId, instanceType, availabilityZone, region] = await Promise.all([
    text(IDENTITY_PATHS.instanceId),
    text(IDENTITY_PATHS.instanceType),
    text(IDENTITY_PATHS.availabilityZone),
    text(IDENTITY_PATHS.region),
  ]);
  if (instanceId === undefined || !INSTANCE_ID.test(instanceId)) {
    throw new IdentityMissing(`instance-id not available: ${String(instanceId).slice(0, 40)}`);
  }
  const derivedRegion = region ?? availabilityZone?.replace(/[a-z]$/, '');
  return {
    instanceId,
    ...(instanceType ? { instanceType } : {}),
    ...(availabilityZone ? { availabilityZone } : {}),
    ...(derivedRegion ? { region: derivedRegion } : {}),
    ...(await readFacts(text)),
  };
}

/** The account id from the identity document (JSON); undefined when unreadable. */
function accountIdOf(document: string | undefined): string | undefined {
  try {
    const doc: unknown = document === undefined ? undefined : JSON.parse(document);
    const id = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>)['accountId'] : '';
    return typeof id === 'string' && /^\d{12}$/.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

/** Webhook facts: each one optional; an error reading one leaves it out, never fails the identity. */
async function readFacts(
  text: (path: string) => Promise<string | undefined>,
): Promise<Partial<ImdsInstanceIdentity>> {
  const keys = Object.keys(FACT_PATHS) as (keyof typeof FACT_PATHS)[];
  const values = await Promise.all(keys.map((k) => text(FACT_PATHS[k]).catch(() => undefined)));
  const read = Object.fromEntries(keys.map((k, i) => [k, values[i]]));
  const out: Record<string, string> = {};
  const accountId = accountIdOf(read['identityDocument']);
  if (accountId) out['accountId'] = accountId;
  for (const k of keys) {
    const v = read[k];
    if (k !== 'identityDocument' && v) out[k] = v.slice(0, 255);
  }
  return out;
}

/**
 * Reads the identity, retrying forever with `backoff(attempt)` ms between attempts. A missing
 * instance-id (404, garbage) or any error is retried; only an abort ends it (rejecting).
 */
export async function readImdsIdentity(
  deps: IdentityDeps,
  signal: AbortSignal,
  backoff: (attempt: number) => number,
): Promise<ImdsInstanceIdentity> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await readOnce(deps, signal);
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      const reason = err instanceof IdentityMissing ? 'malformed' : imdsFailureReason(err);
      deps.metrics.imdsPollErrors.inc({ reason: reason === 'too_large' ? 'malformed' : reason });
      deps.metrics.imdsHealthy.set(0);
      const delay = backoff(attempt);
      const fields = { attempt, reason, retryInMs: delay };
      if (attempt === 1 || attempt % 10 === 0)
        deps.logger.warn({ ...fields, err }, 'IMDS identity not readable yet');
      await deps.clock.sleep(delay, signal);
    }
  }
}
