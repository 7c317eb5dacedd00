/** Entry point: no logic here (see cli.ts and app.ts). */
import { runCli } from './cli.js';

const code = await runCli(process.argv.slice(2), process.env);
process.exitCode = code;
// Normally nothing is left and the process ends now; a stray handle (an SDK keep-alive socket) must
// not keep a stopped daemon alive, so force the exit shortly after (unref: never delays a clean exit).
setTimeout(() => process.exit(code), 2000).unref();
