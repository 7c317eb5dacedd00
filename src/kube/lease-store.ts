/** LeaseStore on coordination.k8s.io/v1 Leases (get, create, update with resourceVersion). */
import { CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { NotFoundError } from '../errors.js';
import type { LeaseRecord, LeaseSpec, LeaseStore } from './lease-elector.js';
import { mapKubeError } from './map-error.js';

/** One named Lease. */
export class KubeLeaseStore implements LeaseStore {
  private readonly api: CoordinationV1Api;

  constructor(
    kubeConfig: KubeConfig,
    private readonly namespace: string,
    private readonly name: string,
  ) {
    this.api = kubeConfig.makeApiClient(CoordinationV1Api);
  }

  /** GET the lease; undefined on 404. */
  async get(): Promise<LeaseRecord | undefined> {
    try {
      return toRecord(await this.api.readNamespacedLease({ name: this.name, namespace: this.namespace }));
    } catch (err) {
      const mapped = mapKubeError(err, `get lease ${this.namespace}/${this.name}`);
      if (mapped instanceof NotFoundError) return undefined;
      throw mapped;
    }
  }

  /** POST a new lease; ConflictError when it exists already. */
  async create(spec: LeaseSpec): Promise<LeaseRecord> {
    try {
      return toRecord(
        await this.api.createNamespacedLease({ namespace: this.namespace, body: this.body(spec) }),
      );
    } catch (err) {
      throw mapKubeError(err, `create lease ${this.namespace}/${this.name}`);
    }
  }

  /** PUT with resourceVersion; ConflictError (409) when someone else wrote first. */
  async replace(spec: LeaseSpec, resourceVersion: string): Promise<LeaseRecord> {
    try {
      return toRecord(
        await this.api.replaceNamespacedLease({
          name: this.name,
          namespace: this.namespace,
          body: this.body(spec, resourceVersion),
        }),
      );
    } catch (err) {
      throw mapKubeError(err, `update lease ${this.namespace}/${this.name}`);
    }
  }

  private body(spec: LeaseSpec, resourceVersion?: string): V1Lease {
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: this.name,
        namespace: this.namespace,
        ...(resourceVersion ? { resourceVersion } : {}),
      },
      spec: {
        // the API server drops an empty string; a released lease is one with no holder
        ...(spec.holderIdentity ? { holderIdentity: spec.holderIdentity } : {}),
        leaseDurationSeconds: spec.leaseDurationSeconds,
        acquireTime: new V1MicroTime(spec.acquireTimeMs),
        renewTime: new V1MicroTime(spec.renewTimeMs),
        leaseTransitions: spec.leaseTransitions,
      },
    };
  }
}

function ms(value: Date | undefined): number {
  const n = value ? new Date(value).getTime() : NaN;
  return Number.isFinite(n) ? n : 0;
}

function toRecord(lease: V1Lease): LeaseRecord {
  const spec = lease.spec ?? {};
  return {
    holderIdentity: spec.holderIdentity ?? '',
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 15,
    acquireTimeMs: ms(spec.acquireTime),
    renewTimeMs: ms(spec.renewTime),
    leaseTransitions: spec.leaseTransitions ?? 0,
    resourceVersion: lease.metadata?.resourceVersion ?? '',
  };
}
