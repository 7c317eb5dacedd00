/**
 * A second client that writes the node in a loop as another controller would: read, add one taint and
 * bump a label, PATCH (JSON merge patch) with the resourceVersion it read, re-read on 409. It remembers
 * every write that succeeded so a test can check that none was lost.
 */

interface NodeJson {
  metadata: { resourceVersion?: string; labels?: Record<string, string> };
  spec?: { taints?: { key: string; value?: string; effect: string }[] };
}

/** The writer's tally. */
export interface WriterLoop {
  /** Taint keys this writer added with a successful PATCH. */
  readonly taintKeys: string[];
  /** Successful writes and 409s seen. */
  readonly counts: { writes: number; conflicts: number; errors: number };
  /** Stops the loop and waits for it. */
  stop(): Promise<void>;
}

/** Starts writing `nodeName` through the API at `url` every `periodMs`. */
export function startWriterLoop(url: string, nodeName: string, periodMs = 20): WriterLoop {
  const taintKeys: string[] = [];
  const counts = { writes: 0, conflicts: 0, errors: 0 };
  let running = true;
  const nodeUrl = `${url}/api/v1/nodes/${nodeName}`;
  const once = async (n: number): Promise<void> => {
    const node = (await (await fetch(nodeUrl)).json()) as NodeJson;
    const key = `example.com/writer-${n}`;
    const patch = {
      metadata: {
        resourceVersion: node.metadata.resourceVersion,
        labels: { 'example.com/writes': String(counts.writes + 1) },
      },
      spec: { taints: [...(node.spec?.taints ?? []), { key, value: 'x', effect: 'PreferNoSchedule' }] },
    };
    const res = await fetch(nodeUrl, {
      method: 'PATCH',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify(patch),
    });
    await res.arrayBuffer();
    if (res.status === 200) {
      counts.writes++;
      taintKeys.push(key);
    } else if (res.status === 409) counts.conflicts++;
    else counts.errors++;
  };
  const loop = (async () => {
    for (let n = 0; running; n++) {
      await once(n).catch(() => void counts.errors++);
      await new Promise((r) => setTimeout(r, periodMs));
    }
  })();
  return {
    taintKeys,
    counts,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}
