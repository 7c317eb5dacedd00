/** What every bench shares: its `--name=value` arguments, a process's memory, the seeded queue cluster. */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

/** The 1-minute load average, one decimal: every result line carries it (this machine is shared). */
export function loadAvg1(): number {
  return Math.round((loadavg()[0] ?? 0) * 10) / 10;
}

/** The value of `--name=value` among the bench's arguments, or undefined. */
export function textArg(args: readonly string[], name: string): string | undefined {
  return args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

/** The number given as `--name=N`, or the fallback. */
export function numberArg(args: readonly string[], name: string, fallback: number): number {
  const v = textArg(args, name);
  return v === undefined ? fallback : Number(v);
}

/** VmRSS and VmHWM (the kernel's high-water mark) of a process, MiB. */
export function processMemoryMib(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string): number =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kib('VmRSS') / 1024, hwm: kib('VmHWM') / 1024 };
}

/** A cluster of `nodes` nodes with 20 Deployments of one pod per node each (20 pods a node). */
export function twentyPodsPerNode(nodes: number, terminationGracePeriodSeconds?: number) {
  return {
    nodes,
    deployments: Array.from({ length: 20 }, (_, i) => ({
      name: `app${i}`,
      replicas: nodes,
      shutdownMs: 100,
      ...(terminationGracePeriodSeconds === undefined ? {} : { terminationGracePeriodSeconds }),
    })),
  };
}
