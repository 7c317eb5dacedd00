/** Finds the AWS region in an SQS queue URL host, as NTH does when AWS_REGION is unset. */

const PATTERNS = [
  /^sqs(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?$/,
  /^([a-z]{2}(?:-[a-z]+)+-\d+)\.queue\.amazonaws\.com(?:\.cn)?$/,
  /\.sqs\.([a-z]{2}(?:-[a-z]+)+-\d+)\.vpce\.amazonaws\.com(?:\.cn)?$/,
];

/** `https://sqs.eu-west-1.amazonaws.com/1234/q` → `eu-west-1`; undefined for other hosts. */
export function regionFromQueueUrl(queueUrl: string): string | undefined {
  let host: string;
  try {
    host = new URL(queueUrl).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  for (const pattern of PATTERNS) {
    const match = pattern.exec(host);
    if (match?.[1]) return match[1];
  }
  return undefined;
}
