/**
 * SelfSubjectAccessReview on client-node: asks the API server whether the current credentials may make
 * one call (authorization.k8s.io/v1; every authenticated user may create one, and the chart grants it too).
 */
import { AuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { KubeAccess } from './kube-access.js';
import { mapKubeError } from './map-error.js';

/** The answer: allowed or not, with the authorizer's reason when it gives one. */
export interface AccessReviewAnswer {
  readonly allowed: boolean;
  readonly reason?: string;
}

/** Runs SelfSubjectAccessReviews. */
export class KubeAccessReview {
  private readonly api: AuthorizationV1Api;

  constructor(kubeConfig: KubeConfig) {
    this.api = kubeConfig.makeApiClient(AuthorizationV1Api);
  }

  /** May the current user do `access`? Errors (the review itself refused, network) are typed. */
  async review(access: KubeAccess): Promise<AccessReviewAnswer> {
    const [resource, subresource] = access.resource.split('/');
    try {
      const out = await this.api.createSelfSubjectAccessReview({
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
          spec: {
            resourceAttributes: {
              group: access.group,
              resource,
              verb: access.verb,
              ...(subresource ? { subresource } : {}),
              ...(access.namespace ? { namespace: access.namespace } : {}),
              ...(access.name ? { name: access.name } : {}),
            },
          },
        },
      });
      const reason = out.status?.reason;
      return { allowed: out.status?.allowed === true, ...(reason ? { reason } : {}) };
    } catch (err) {
      throw mapKubeError(err, `create selfsubjectaccessreview (${access.verb} ${access.resource})`);
    }
  }
}
