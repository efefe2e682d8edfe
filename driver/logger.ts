import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import winston from 'winston';

export type Logger = winston.Logger;

/**
 * JSON lines to the log file (for machines) and short readable lines on the console (for people).
 * Child loggers carry runId and stage, so every line of a run can be found by its id.
 */
export function createLogger(options: { level: string; file: string; console?: boolean }): Logger {
  mkdirSync(dirname(options.file), { recursive: true });
  const readable = winston.format.printf(({ timestamp, level, message, runId, stage, ...rest }) => {
    const where = [runId, stage].filter(Boolean).join(' ');
    const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
    return `${timestamp} ${level.padEnd(5)} ${where ? `[${where}] ` : ''}${message}${extra}`;
  });
  return winston.createLogger({
    level: options.level,
    format: winston.format.combine(winston.format.timestamp(), winston.format.errors({ stack: true })),
    transports: [
      new winston.transports.File({ filename: options.file, format: winston.format.json() }),
      ...(options.console === false
        ? []
        : [new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'], format: readable })]),
    ],
  });
}
