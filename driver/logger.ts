import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import winston from 'winston';
import { redact, type Settings } from './config.js';

export type Logger = winston.Logger;

/**
 * JSON lines to the log file (for machines) and short readable lines on the console (for people).
 * Child loggers carry runId and stage, so every line of a run can be found by its id.
 */
export function createLogger(options: { level: string; file: string; console?: boolean; secrets?: Partial<Settings> }): Logger {
  mkdirSync(dirname(options.file), { recursive: true, mode: 0o700 });
  // Owner-only whatever the process's umask (test runners and libraries log here too), also for a file an
  // older version created readable by others.
  closeSync(openSync(options.file, 'a', 0o600));
  chmodSync(options.file, 0o600);
  // An error from a server may quote a URL or a request: secret values are replaced before any line is written.
  const hideSecrets = winston.format((info) => {
    if (!options.secrets) return info;
    const settings = options.secrets;
    for (const key of Object.keys(info)) {
      const value = info[key];
      if (typeof value === 'string') info[key] = redact(value, settings);
    }
    return info;
  });
  const readable = winston.format.printf(({ timestamp, level, message, runId, stage, ...rest }) => {
    const where = [runId, stage].filter(Boolean).join(' ');
    const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
    return `${timestamp} ${level.padEnd(5)} ${where ? `[${where}] ` : ''}${message}${extra}`;
  });
  return winston.createLogger({
    level: options.level,
    format: winston.format.combine(winston.format.errors({ stack: true }), hideSecrets(), winston.format.timestamp()),
    transports: [
      new winston.transports.File({ filename: options.file, options: { flags: 'a', mode: 0o600 }, format: winston.format.json() }),
      ...(options.console === false
        ? []
        : [new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'], format: readable })]),
    ],
  });
}
