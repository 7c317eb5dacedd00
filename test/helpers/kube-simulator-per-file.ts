/** One Kubernetes API simulator for the whole test file: started before the first test, stopped after the last. */
import { afterAll, beforeAll } from 'vitest';
import { startKubeApiSimulator, type KubeApiSimulator } from '../../src/sandbox/kube-api/server.js';

/** Registers the file's hooks; call the returned function inside a test to get the running simulator. */
export function kubeSimulatorPerFile(): () => KubeApiSimulator {
  let sim: KubeApiSimulator | undefined;
  beforeAll(async () => {
    sim = await startKubeApiSimulator();
  });
  afterAll(async () => {
    await sim?.stop();
  });
  return () => {
    if (!sim) throw new Error('the simulator starts in beforeAll');
    return sim;
  };
}
