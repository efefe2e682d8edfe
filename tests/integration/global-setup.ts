/**
 * Integration tests run against the real local stack: bring it up with two workers (unless it already runs),
 * export its settings to the test workers, and stop it afterwards only if this run started it.
 */
import { formatEnv, loadConfig } from '../../driver/config.js';
import { make, stackProcesses } from '../support/stack.js';

export default async function setup(): Promise<() => Promise<void>> {
  const wasRunning = (await stackProcesses()).length > 0;
  await make('up', 'scale=2');
  const { settings } = loadConfig();
  for (const line of formatEnv(settings).split('\n')) {
    const eq = line.indexOf('=');
    process.env[line.slice(0, eq)] ??= String(settings[line.slice(0, eq) as keyof typeof settings]);
  }
  return async () => {
    if (!wasRunning || process.env.CI) await make('down');
  };
}
