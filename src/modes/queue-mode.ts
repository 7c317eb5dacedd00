/** Queue mode: wired when its building blocks land (issue 5). */
import type { ModeRunner } from '../app.js';

/** Not yet available. */
export const run: ModeRunner = async ({ logger }) => {
  logger.error('queue mode is not wired yet');
  return 1;
};
