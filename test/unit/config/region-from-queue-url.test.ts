import { describe, expect, it } from 'vitest';
import { regionFromQueueUrl } from '../../../src/config/region-from-queue-url.js';

describe('regionFromQueueUrl', () => {
  it.each([
    ['https://sqs.us-east-1.amazonaws.com/1/q', 'us-east-1'],
    ['https://sqs.eu-west-1.amazonaws.com/123456789012/q', 'eu-west-1'],
    ['https://sqs.us-gov-west-1.amazonaws.com/1/q', 'us-gov-west-1'],
    ['https://sqs.cn-north-1.amazonaws.com.cn/1/q', 'cn-north-1'],
    ['https://sqs-fips.us-gov-west-1.amazonaws.com/1/q', 'us-gov-west-1'],
    ['https://eu-central-1.queue.amazonaws.com/1/q', 'eu-central-1'],
    ['https://vpce-0a1b.sqs.ap-southeast-2.vpce.amazonaws.com/1/q', 'ap-southeast-2'],
    ['http://127.0.0.1:4566/000000000000/q', undefined],
    ['not a url', undefined],
  ])('%s → %s', (url, region) => {
    expect(regionFromQueueUrl(url)).toBe(region);
  });
});
