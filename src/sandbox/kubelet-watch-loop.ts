/**
 * The kubelet simulator's watch loop: watches one collection forever, re-listing after 410 Gone or a
 * cut stream, and hands every ADDED/MODIFIED/DELETED event to the caller.
 */
import * as k8s from '@kubernetes/client-node';
import type { Logger } from 'pino';

/** A running watch loop. */
export interface WatchLoop {
  /** Resolves once the first watch is open. */
  readonly opened: Promise<void>;
  stop(): void;
}

/** Watches `path` (with `query`) until `stop`. */
export function startWatchLoop(
  kc: k8s.KubeConfig,
  path: string,
  query: Record<string, string>,
  onEvent: (type: string, obj: unknown) => void,
  logger?: Logger,
): WatchLoop {
  let rv: string | undefined;
  let stopped = false;
  let current: AbortController | undefined;
  const watch = new k8s.Watch(kc);
  const open = async (): Promise<void> => {
    if (stopped) return;
    const q = rv ? { ...query, resourceVersion: rv, allowWatchBookmarks: 'true' } : query;
    current = await watch.watch(
      path,
      q,
      (type, obj: { metadata?: { resourceVersion?: string }; code?: number }) => {
        if (type === 'ERROR') {
          if (obj.code === 410) rv = undefined;
          return;
        }
        rv = obj.metadata?.resourceVersion ?? rv;
        if (type !== 'BOOKMARK') onEvent(type, obj);
      },
      (err: unknown) => {
        if (stopped) return;
        if (err) logger?.debug({ err, path }, 'kubelet watch ended');
        setTimeout(() => void open().catch(retry), err ? 200 : 0);
      },
    );
    if (stopped) current.abort();
  };
  const retry = (err: unknown): void => {
    logger?.warn({ err, path }, 'kubelet watch failed; retrying');
    if (!stopped) setTimeout(() => void open().catch(retry), 500);
  };
  return {
    opened: open(),
    stop: () => {
      stopped = true;
      current?.abort();
    },
  };
}
