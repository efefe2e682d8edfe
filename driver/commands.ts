import { formatEnv, loadConfig } from './config.js';
import { UsageError } from './usage-error.js';

export interface Command {
  summary: string;
  /** The key=value arguments it understands; any other key is refused before it runs. */
  args: readonly string[];
  /** Resolves to the process exit code. */
  run(args: Record<string, string>): Promise<number>;
}

// Each command loads its module on use, so `env` (called by every make target) stays fast.
export const commands: Record<string, Command> = {
  env: {
    summary:
      'print the settings as shell-sourceable KEY=value lines (STACK: the stack in use), with the keys to reach MinIO and Spark Connect (scope=public: no secret)',
    args: ['scope'],
    async run(args) {
      if (args.scope !== undefined && args.scope !== 'public') throw new UsageError(`scope must be public, got '${args.scope}'`);
      const { settings } = loadConfig();
      const { chooseStack, probeDocker, runningStack } = await import('./stack-kind.js');
      const stack = chooseStack({ requested: settings.STACK, running: runningStack(settings.STACK_HOME), probe: probeDocker });
      process.stdout.write(`${formatEnv({ ...settings, STACK: stack.kind }, args.scope === 'public' ? 'public' : 'user')}\n`);
      return 0;
    },
  },
  stack: {
    summary: 'the stack in use and why (for=up: refuse a kind other than the running one)',
    args: ['for'],
    async run(args) {
      const { settings } = loadConfig();
      const { chooseStack, probeDocker, runningStack } = await import('./stack-kind.js');
      const stack = chooseStack({ requested: settings.STACK, running: runningStack(settings.STACK_HOME), probe: probeDocker });
      if (stack.conflict && args.for === 'up') {
        process.stderr.write(`error: ${stack.conflict}\n`);
        return 2;
      }
      process.stdout.write(`stack: ${stack.kind} (${stack.why})\n`);
      return 0;
    },
  },
  'stack-files': {
    summary: "(spark/scripts/stack.sh) write the daemons' owner-only configuration and secret files",
    // Where the Connect server runs: its bind address and port, the driver's host (spark/conf templates).
    args: ['SPARK_CONNECT_PORT', 'SPARK_CONNECT_BIND_ADDRESS', 'SPARK_DRIVER_HOST', 'SPARK_DRIVER_BIND_ADDRESS'],
    async run(args) {
      const { writeStackFiles } = await import('./stack-files.js');
      writeStackFiles(loadConfig().settings, args);
      return 0;
    },
  },
  'compose-secrets': {
    summary: "(spark/scripts/compose-stack.sh) write the compose stack's owner-only secret files (.stack/secrets/)",
    args: [],
    async run() {
      const { writeComposeSecrets } = await import('./stack-files.js');
      const { settings } = loadConfig();
      writeComposeSecrets(settings, settings.STACK_HOME);
      return 0;
    },
  },
  'grant-bucket': {
    summary: "(spark/scripts/stack.sh) with MinIO's root keys: create the bucket and the pipeline's user, scoped to it",
    args: [],
    async run() {
      const { grantBucket } = await import('./store-access.js');
      await grantBucket(loadConfig().settings);
      return 0;
    },
  },
  doctor: {
    summary: 'check the running stack end to end; the last line is JSON',
    args: [],
    async run() {
      const { runDoctor } = await import('./doctor.js');
      return runDoctor(loadConfig());
    },
  },
  'run-main': {
    summary: 'run the pipeline now, then on every SCHEDULE_CRON tick (once=1, source=sim|fr24, refresh=1, scale=N, lock-wait-s=S)',
    args: ['once', 'source', 'refresh', 'scale', 'lock-wait-s'],
    async run(args) {
      const { parseRunMainArgs, runMain } = await import('./run-main.js');
      const parsed = parseRunMainArgs(args);
      return runMain(loadConfig(), parsed);
    },
  },
  'run-answers': {
    summary: 'answer question=Q (or all) on a gold snapshot (at=YYYY-MM-DDTHH, format=table|json, allow-partial=1); a trend with from=/to= or last=24h (format=csv)',
    args: ['question', 'at', 'format', 'allow-partial', 'help', 'from', 'to', 'last'],
    async run(args) {
      const { runAnswers } = await import('./answers.js');
      return runAnswers(loadConfig(), args);
    },
  },
  backfill: {
    summary: 'reprocess stored bronze from=YYYY-MM-DDTHH to=YYYY-MM-DDTHH (stage=silver,gold) under the pipeline lock',
    args: ['from', 'to', 'stage', 'lock-wait-s'],
    async run(args) {
      const { parseBackfillArgs, runBackfill } = await import('./backfill.js');
      const parsed = parseBackfillArgs(args);
      // SIGINT/SIGTERM interrupt the running stage (it is cleaned, its manifest says interrupted); no later snapshot starts.
      const stopping = new AbortController();
      const stop = () => stopping.abort();
      process.once('SIGINT', stop).once('SIGTERM', stop);
      try {
        const code = await runBackfill(loadConfig(), parsed, { signal: stopping.signal });
        return stopping.signal.aborted ? 130 : code;
      } finally {
        process.off('SIGINT', stop).off('SIGTERM', stop);
      }
    },
  },
  serve: {
    summary: 'the status page and its JSON API at WEB_HOST:WEB_PORT (127.0.0.1:8090 by default)',
    args: [],
    async run() {
      const { serve } = await import('./web/server.js');
      return serve(loadConfig());
    },
  },
  status: {
    summary: 'the recent runs, from their manifests',
    args: [],
    async run() {
      const { printRecentRuns } = await import('./status.js');
      return printRecentRuns(loadConfig());
    },
  },
};
