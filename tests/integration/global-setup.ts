/**
 * Integration tests run against the real stack: bring it up with two workers (unless it already runs), point the
 * tests at a bucket of their own (so a developer's snapshots, runs and `make status` stay clean), export the
 * settings to the test workers, and afterwards stop only what this run started.
 *
 * What ran before is read from this checkout's own records (its pid files and stack kind), never from process
 * names: a stack started from another path of the same checkout is still recognised as running, and another
 * checkout's stack is never taken for ours.
 */
import { formatEnv, loadConfig } from '../../driver/config.js';
import { make, runningDaemons, stackCommand, stackKind } from '../support/stack.js';

export default async function setup(): Promise<() => Promise<void>> {
  const kindBefore = stackKind();
  const daemonsBefore = kindBefore === 'local' ? runningDaemons() : [];
  // A local stack's kind file outlives its processes after a crash: it ran only if one of its daemons still does.
  const ranBefore = kindBefore === 'local' ? daemonsBefore.length > 0 : kindBefore === 'docker';
  // make up creates the tests' bucket and grants it to the pipeline's MinIO user (which may not create buckets).
  process.env.MINIO_BUCKET ??= `${loadConfig().minio.bucket}-test`;
  // TEST_SCALE: fewer workers on a machine shared with other stacks.
  await make('up', `scale=${process.env.TEST_SCALE ?? 2}`);
  const config = loadConfig();
  for (const line of formatEnv(config.settings).split('\n')) {
    const name = line.slice(0, line.indexOf('='));
    process.env[name] ??= String(config.settings[name as keyof typeof config.settings]);
  }
  // The tests that connect by URL alone carry the Connect token in it (the client sends it as a bearer header).
  process.env.SPARK_CONNECT_URL = config.spark.connectUrl;
  return async () => {
    if (!ranBefore) {
      await make('down');
      return;
    }
    // A stack ran before: only the daemons this run added (workers beyond its scale, a dead one restarted) stop.
    const added = kindBefore === 'local' ? runningDaemons().filter((name) => !daemonsBefore.includes(name)) : [];
    if (added.length > 0) await stackCommand('stop', ...added);
  };
}
