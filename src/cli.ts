/** Placeholder CLI until the config issue lands: replaced by the real one. */
export async function runCli(argv: readonly string[], _env: NodeJS.ProcessEnv): Promise<number> {
  const mode = argv[0];
  if (mode === 'sandbox') {
    console.log('spot-handler sandbox: coming with IMDS mode');
    return 0;
  }
  console.error('usage: spot-handler <imds|queue|sandbox> [flags]');
  return 2;
}
