/**
 * The real Kubernetes control plane a `*-real` benchmark runs on: TEST_KUBECONFIG (an existing cluster),
 * or SPOT_HANDLER_KUBE_UP=<path of an `up` script that prints TEST_KUBECONFIG=…> (started in a temp dir,
 * stopped and purged at the end by `down` next to it, its directory removed). Without either, or when the script is not there
 * (a clone without the shared control plane), the benchmark prints one skip line and exits 0.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** A cluster to run on. */
export interface RealCluster {
  readonly kubeconfigPath: string;
  stop(): Promise<void>;
}

/** The cluster, or why there is none (the skip line says it). */
export async function realCluster(): Promise<RealCluster | { readonly skipped: string }> {
  const given = process.env['TEST_KUBECONFIG'];
  if (given) return { kubeconfigPath: given, stop: async () => undefined };
  const up = process.env['SPOT_HANDLER_KUBE_UP'];
  if (!up)
    return {
      skipped: 'needs a real cluster: TEST_KUBECONFIG, or SPOT_HANDLER_KUBE_UP=<path of kube up script>',
    };
  if (!existsSync(up))
    return { skipped: `SPOT_HANDLER_KUBE_UP=${up}: no such file (no real control plane here)` };
  const dir = mkdtempSync(join(tmpdir(), 'kube-bench-'));
  const { stdout } = await exec(up, [dir], { timeout: 300_000 });
  const path = /TEST_KUBECONFIG=(\S+)/.exec(stdout)?.[1];
  if (!path) throw new Error(`${up} printed no TEST_KUBECONFIG=`);
  return {
    kubeconfigPath: path,
    stop: async () => {
      await exec(join(dirname(up), 'down'), [dir, '--purge'], { timeout: 120_000 }).catch(() => undefined);
      // `down --purge` drops etcd and logs; the unpacked binaries and certificates (170 MB) go too
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
