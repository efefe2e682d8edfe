#!/usr/bin/env -S node --import tsx
/**
 * The one process entry of the product: `tsx driver/cli.ts <command> [key=value ...]`.
 * The Makefile targets call it; it maps failures to exit codes (the product's only place that exits; the
 * FR24-compatible server's own dev CLI in extract/sim/ sets process.exitCode instead).
 */
import { ConfigError, loadConfig, redact } from './config.js';
import { checkArgs } from './args.js';
import { commands } from './commands.js';
import { UsageError } from './usage-error.js';

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name ? commands[name] : undefined;
  if (!command) {
    const list = Object.entries(commands)
      .map(([key, c]) => `  ${key.padEnd(12)} ${c.summary}`)
      .join('\n');
    process.stderr.write(`${name ? `unknown command '${name}'\n` : ''}usage: cli.ts <command> [key=value ...]\n${list}\n`);
    return 2;
  }
  const args = parseArgs(rest);
  checkArgs(name!, command.args, args);
  return command.run(args);
}

/** `key=value` words as make passes them; a bare word is taken as `key=true`. */
function parseArgs(words: string[]): Record<string, string> {
  return Object.fromEntries(
    words.map((word) => {
      const eq = word.indexOf('=');
      return eq === -1 ? [word.replace(/^--/, ''), 'true'] : [word.slice(0, eq).replace(/^--/, ''), word.slice(eq + 1)];
    }),
  );
}

/** A failure's text may quote a server's answer or a URL: secret values never reach the terminal. */
function withoutSecrets(text: string): string {
  try {
    return redact(text, loadConfig().settings);
  } catch {
    return text.replace(/token=[^;\s]*/g, 'token=***'); // the settings are invalid: at least no URL's token
  }
}

// What the product writes on this machine (logs, lock and state files under .stack/) is its user's alone.
process.umask(0o077);
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`${withoutSecrets(text)}\n`);
    process.exit(1);
  },
);
