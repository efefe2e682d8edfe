import { describe, expect, it } from 'vitest';
import { formatTable, parseAnswerArgs } from '../../driver/answers.js';
import { UsageError } from '../../driver/usage-error.js';

describe('run-answers arguments and output', () => {
  it('defaults to every question as a table; --help in any spelling make passes it', () => {
    expect(parseAnswerArgs({})).toEqual({ question: 'all', at: undefined, format: 'table', allowPartial: false });
    expect(parseAnswerArgs({ question: '--help' }).question).toBe('--help');
    expect(parseAnswerArgs({ help: 'true' }).question).toBe('--help');
    expect(parseAnswerArgs({ question: 'top-airline', at: '2024-04-18T17', format: 'JSON' })).toEqual({
      question: 'top-airline',
      at: '2024-04-18T17',
      format: 'json',
      allowPartial: false,
    });
    expect(() => parseAnswerArgs({ format: 'xml' })).toThrow(UsageError);
  });

  it('prints a readable table: header, rule, rows, numbers right-aligned, distances with one decimal', () => {
    const text = formatTable('longest-flight', ['id', 'distance_km', 'flights'], [
      { id: 'abc', distance_km: 12970, flights: 3 },
      { id: 'defgh', distance_km: 901.25, flights: 12 },
    ]);
    expect(text.split('\n')).toEqual([
      'longest-flight',
      'id     distance_km  flights',
      '-----  -----------  -------',
      'abc        12970.0        3',
      'defgh        901.3       12',
    ]);
    expect(formatTable('t', ['a'], [])).toContain('(no rows)');
  });
});
