import { describe, expect, it } from 'vitest';
import { buildTrend, hourSlots, MAX_TREND_HOURS, parseHourRange, trendCsv } from '../../driver/trends.js';
import { parseAnswerArgs, trendTable } from '../../driver/answers.js';
import { UsageError } from '../../driver/usage-error.js';
import { questionsFor } from '../../jobs/index.js';

const now = new Date('2026-05-02T10:41:07Z');
const iso = (t?: Date) => t?.toISOString();

describe('trend range arguments', () => {
  it('takes from=/to= as whole UTC hours, both included, and last=Nh / last=Nd up to the current hour', () => {
    const r = parseHourRange({ from: '2026-05-01T22', to: '2026-05-02T03' }, now)!;
    expect([iso(r.from), iso(r.to)]).toEqual(['2026-05-01T22:00:00.000Z', '2026-05-02T03:00:00.000Z']);
    const last = parseHourRange({ last: '24h' }, now)!;
    expect([iso(last.from), iso(last.to)]).toEqual(['2026-05-01T11:00:00.000Z', '2026-05-02T10:00:00.000Z']);
    expect(iso(parseHourRange({ last: '2d' }, now)!.from)).toBe('2026-04-30T11:00:00.000Z');
    expect(iso(parseHourRange({ from: '2026-05-02T08' }, now)!.to)).toBe('2026-05-02T10:00:00.000Z');
    expect(parseHourRange({}, now)).toBeUndefined();
  });

  it('refuses what it cannot read, reversed and unbounded ranges, naming the argument', () => {
    expect(() => parseHourRange({ from: '2026-05-02' }, now)).toThrow(/from=2026-05-02 is not a UTC hour/);
    expect(() => parseHourRange({ from: '2026-05-02T05', to: '2026-05-02T04' }, now)).toThrow(/after to=/);
    expect(() => parseHourRange({ last: 'yesterday' }, now)).toThrow(/last=24h/);
    expect(() => parseHourRange({ last: '0h' }, now)).toThrow(UsageError);
    expect(() => parseHourRange({ last: '24h', from: '2026-05-02T05' }, now)).toThrow(/not both/);
    expect(() => parseHourRange({ to: '2026-05-02T05' }, now)).toThrow(/needs from=/);
    expect(() => parseHourRange({ last: `${MAX_TREND_HOURS + 1}h` }, now)).toThrow(/at most/);
  });

  it('is a trend of one question only, and csv only for trends', () => {
    expect(parseAnswerArgs({ question: 'top-airline', last: '24h', format: 'csv' }, now).range).toBeDefined();
    expect(() => parseAnswerArgs({ question: 'all', last: '24h' }, now)).toThrow(/one question/);
    expect(() => parseAnswerArgs({ question: 'top-airline', at: '2026-05-02T01', last: '24h' }, now)).toThrow(/not both/);
    expect(() => parseAnswerArgs({ question: 'top-airline', format: 'csv' }, now)).toThrow(/for trends/);
    expect(() => parseAnswerArgs({ question: 'top-airline', format: 'xml' }, now)).toThrow(/table, json or csv/);
  });
});

describe('hour slots and the trend', () => {
  const range = parseHourRange({ from: '2026-05-02T00', to: '2026-05-02T03' }, now)!;
  const snapshots = ['2026-05-02T00:10:00Z', '2026-05-02T01:05:00Z', '2026-05-02T01:55:00Z', '2026-05-02T03:00:00Z', '2026-05-02T04:00:00Z'].map(
    (s) => ({ time: new Date(s), hasAnswers: true }),
  );
  const slots = hourSlots(range, snapshots);
  const question = questionsFor('top-airline')[0]!;
  const trend = buildTrend(question, range, slots, (t) => [{ airline: `A ${t.getUTCHours()}`, flights: t.getUTCMinutes() }]);

  it('takes the newest snapshot of each hour and lists the hours without one as missing', () => {
    expect(slots.map((s) => iso(s.snapshot?.time))).toEqual(['2026-05-02T00:10:00.000Z', '2026-05-02T01:55:00.000Z', undefined, '2026-05-02T03:00:00.000Z']);
    expect(trend.missing).toEqual(['2026-05-02T02']);
    expect(trend.hours.map((h) => h.rows?.[0]?.flights ?? null)).toEqual([10, 55, null, 0]);
  });

  it('prints every hour in csv (status missing) and in the table', () => {
    const lines = trendCsv(trend).split('\r\n');
    expect(lines[0]).toBe('hour,snapshot,status,airline,flights');
    expect(lines[3]).toBe('2026-05-02T02,,missing,,');
    expect(lines[2]).toBe('2026-05-02T01,2026-05-02T01:55:00.000Z,ok,A 1,55');
    const table = trendTable(trend);
    expect(table).toMatch(/1 hour\(s\) without a complete snapshot: 2026-05-02T02/);
    expect(table).toMatch(/2026-05-02T02 missing/);
  });
});
