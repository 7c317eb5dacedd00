/**
 * The process logger: pino JSON by default, pino-pretty only when asked (loaded lazily, so the JSON
 * path never pays for it). Components get `logger.child({ component })`; secrets are redacted; typed
 * errors are logged short, their stacks at debug (log-errors.ts).
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import { logStackAtDebug, serializeError } from './log-errors.js';

/** Where secrets may appear in log objects; their values become "[redacted]". */
export const REDACT_PATHS: readonly string[] = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  'headers.Authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  'token',
  '*.token',
  'password',
  '*.password',
  'webhookUrl',
  '*.webhookUrl',
  'webhookHeaders',
  '*.webhookHeaders',
  'webhook.url',
  'webhook.headers',
  'webhook.proxyUrl',
  'config.webhook.url',
  'config.webhook.headers',
  'config.webhook.proxyUrl',
  'accessKeyId',
  'secretAccessKey',
  'sessionToken',
  '*.accessKeyId',
  '*.secretAccessKey',
  '*.sessionToken',
  'credentials',
  '*.credentials',
];

/** What createLogger needs. */
export interface LoggerOptions {
  readonly level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  readonly format: 'json' | 'pretty';
  /** Where lines go (tests pass an in-memory stream); stdout when absent. */
  readonly destination?: DestinationStream;
  /** Base fields on every line. */
  readonly version?: string;
  readonly mode?: string;
}

async function prettyStream(destination: DestinationStream | undefined): Promise<DestinationStream> {
  const { default: pretty } = await import('pino-pretty');
  return pretty({
    destination: destination ?? 1,
    sync: true,
    colorize: destination === undefined && process.stdout.isTTY,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,app,version',
  });
}

/** Creates the root logger: {app, version, mode} on every line, ISO time, level as a label. */
export async function createLogger(options: LoggerOptions): Promise<Logger> {
  const destination =
    options.format === 'pretty'
      ? await prettyStream(options.destination)
      : (options.destination ?? pino.destination({ dest: 1, sync: true }));
  return pino(
    {
      level: options.level,
      base: { app: 'spot-handler', version: options.version, mode: options.mode },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
      serializers: { err: serializeError },
      hooks: { logMethod: logStackAtDebug },
    },
    destination,
  );
}
