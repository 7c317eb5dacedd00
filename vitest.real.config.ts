import { defineConfig } from 'vitest/config';

/**
 * The real-cluster stage (`npm run test:real`, scripts/test-real.sh sets TEST_KUBECONFIG): every test
 * that runs on kube-env, against a real control plane. Two workers: the API server, controller-manager
 * and scheduler share the machine's two cores with the daemons under test.
 */
export default defineConfig({
  test: {
    include: [
      'test/scenarios/drain-*.test.ts',
      'test/scenarios/imds-*.test.ts',
      'test/scenarios/queue-*.test.ts',
      'test/fidelity/**/*.test.ts',
    ],
    testTimeout: 90_000,
    hookTimeout: 90_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
