/** One pod watch on client-node's Watch, shared by the node drain and the surge: typed events, typed errors. */
import type { V1Pod, Watch } from '@kubernetes/client-node';
import type { PodWatchEvent } from '../actions/kube-types.js';
import { TransientError } from '../errors.js';
import type { ApiRequestCounter } from './api-call.js';
import { mapKubeError } from './map-error.js';
import { toKubePod } from './to-kube-types.js';

const WATCH_TYPES = new Set(['ADDED', 'MODIFIED', 'DELETED']);

/** Watches pods at `path` with `query` until the server closes the stream, it fails, or the signal aborts. */
export async function watchPodPath(
  watcher: Watch,
  counter: ApiRequestCounter | undefined,
  path: string,
  query: Record<string, string | boolean>,
  what: string,
  onEvent: (event: PodWatchEvent) => void,
  signal: AbortSignal,
): Promise<void> {
  if (signal.aborted) return;
  counter?.apiRequests.inc({ verb: 'watch', code: '2xx' });
  await new Promise<void>((resolve, reject) => {
    const finish = (err: unknown): void => {
      signal.removeEventListener('abort', onAbort);
      if (err === null || err === undefined || signal.aborted) resolve();
      else reject(mapKubeError(err, what));
    };
    let controller: AbortController | undefined;
    const onAbort = (): void => controller?.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    watcher
      .watch(
        path,
        query,
        (type: string, object: unknown) => {
          if (type === 'ERROR') {
            controller?.abort();
            finish(new TransientError(`${what}: ${JSON.stringify(object)}`));
            return;
          }
          if (!WATCH_TYPES.has(type)) return;
          const pod = object as V1Pod;
          const rv = pod.metadata?.resourceVersion;
          onEvent({
            type: type as PodWatchEvent['type'],
            pod: toKubePod(pod),
            ...(rv ? { resourceVersion: rv } : {}),
          });
        },
        finish,
      )
      .then((c) => {
        controller = c;
        if (signal.aborted) c.abort();
      }, finish);
  });
}
