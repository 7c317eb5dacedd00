/**
 * Says loudly when IMDSv2 cannot be reached because of the hop limit: the token PUT times out when the
 * instance's HttpPutResponseHopLimit is 1 and the pod is not on the host network (the answer is
 * dropped one hop short). One log line per episode, a gauge, and the /readyz detail.
 */
import type { Logger } from 'pino';
import type { Metrics } from '../report/metrics.js';

/** The /readyz detail (and log message) while the token request times out. */
export const HOP_LIMIT_HINT =
  'IMDSv2 token request timed out: the instance IMDS hop limit (HttpPutResponseHopLimit) is probably 1 ' +
  'and this pod is not on the host network; set daemonset.hostNetwork=true (the chart default) or run ' +
  '`aws ec2 modify-instance-metadata-options --instance-id <id> --http-put-response-hop-limit 2`';

/** Tracks the token-timeout state; `update` returns the hint while it lasts. */
export class HopLimitWatch {
  private active = false;

  constructor(
    private readonly logger: Logger,
    private readonly metrics: Pick<Metrics, 'imdsTokenTimeout'>,
  ) {}

  /** Feeds the current state; logs once when it starts and once when it ends. */
  update(tokenTimedOut: boolean): string | undefined {
    if (tokenTimedOut !== this.active) {
      this.active = tokenTimedOut;
      this.metrics.imdsTokenTimeout.set(tokenTimedOut ? 1 : 0);
      if (tokenTimedOut) this.logger.error({ reason: 'imds-hop-limit' }, HOP_LIMIT_HINT);
      else this.logger.info('IMDSv2 token request answered again');
    }
    return tokenTimedOut ? HOP_LIMIT_HINT : undefined;
  }
}
