/** The key=value arguments of the CLI's commands, checked the same way by each. */
import { UsageError } from './usage-error.js';

/** Refuses keys the command does not know, naming the ones it does (a typo must not be ignored silently). */
export function checkArgs(command: string, known: readonly string[], args: Record<string, string>): void {
  const unknown = Object.keys(args).filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    throw new UsageError(
      `${command}: unknown argument${unknown.length === 1 ? '' : 's'} ${unknown.map((k) => `'${k}'`).join(', ')} ` +
        `(known: ${known.length > 0 ? known.map((k) => `${k}=`).join(', ') : 'none'})`,
    );
  }
}

/** A yes/no argument: absent or empty is no; 1/true/yes and 0/false/no; anything else (once=2) is refused. */
export function flagArg(args: Record<string, string>, name: string): boolean {
  const value = args[name]?.trim().toLowerCase();
  if (value === undefined || value === '') return false;
  if (['1', 'true', 'yes'].includes(value)) return true;
  if (['0', 'false', 'no'].includes(value)) return false;
  throw new UsageError(`${name} must be 1 or 0 (or true/false, yes/no), got '${args[name]}'`);
}
