import { describe, expect, it } from 'vitest';
import { checkArgs, flagArg } from '../../driver/args.js';
import { commands } from '../../driver/commands.js';
import { UsageError } from '../../driver/usage-error.js';
import { parseAnswerArgs } from '../../driver/answers.js';
import { parseRunMainArgs } from '../../driver/run-main.js';

describe('command-line arguments', () => {
  it('refuses an unknown key=, naming the ones the command knows', () => {
    expect(() => checkArgs('run-main', commands['run-main']!.args, { once: '1', onec: '1' })).toThrow(UsageError);
    expect(() => checkArgs('run-main', commands['run-main']!.args, { onec: '1' })).toThrow(
      /run-main: unknown argument 'onec' \(known: once=, source=, refresh=, scale=, lock-wait-s=\)/,
    );
    expect(() => checkArgs('run-answers', commands['run-answers']!.args, { question: 'all', fromat: 'json' })).toThrow(/'fromat'.*format=/);
    expect(() => checkArgs('status', commands.status!.args, { verbose: 'true' })).toThrow(/known: none/);
    expect(() => checkArgs('run-main', commands['run-main']!.args, { once: '1', source: 'sim', scale: '2' })).not.toThrow();
  });

  it('takes yes/no values as 1/0, true/false, yes/no and refuses anything else', () => {
    for (const yes of ['1', 'true', 'YES']) expect(flagArg({ once: yes }, 'once')).toBe(true);
    for (const no of ['0', 'false', 'no', '']) expect(flagArg({ once: no }, 'once')).toBe(false);
    expect(flagArg({}, 'once')).toBe(false);
    expect(() => parseRunMainArgs({ once: '2' })).toThrow(/once must be 1 or 0 .*got '2'/);
    expect(() => parseRunMainArgs({ refresh: 'maybe' })).toThrow(/refresh must be 1 or 0/);
    expect(() => parseAnswerArgs({ 'allow-partial': 'y' })).toThrow(/allow-partial must be 1 or 0/);
  });

  it('bounds the lock wait to what a Node timer can wait and checks scale', () => {
    expect(parseRunMainArgs({ 'lock-wait-s': '60' }).lockWaitMs).toBe(60_000);
    expect(() => parseRunMainArgs({ 'lock-wait-s': '3000000' })).toThrow(/lock-wait-s must be a number of seconds from 0 to 2147483/);
    expect(() => parseRunMainArgs({ 'lock-wait-s': 'soon' })).toThrow(/lock-wait-s/);
    expect(parseRunMainArgs({ scale: '2' }).scale).toBe(2);
    expect(parseRunMainArgs({}).scale).toBeUndefined();
    expect(() => parseRunMainArgs({ scale: '0' })).toThrow(/scale must be a whole number/);
  });
});
