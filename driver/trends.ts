/**
 * Trends: one question's answer per snapshot hour over a range of hours. The range and the hour slots are
 * plain data shared by `run-answers from= to=` (computed on the cluster, one query) and the status page (read
 * from the stored answers tables, no Spark job). An hour without a complete snapshot is listed as missing.
 */
import { UsageError } from './usage-error.js';
import type { StoredSnapshot } from './history.js';
import type { AnswerRow, Question } from '../jobs/index.js';
import { newestSnapshot, parseAtHour, SnapshotArgumentError } from '../contracts/index.js';

const HOUR_MS = 3_600_000;
/** The longest range a trend covers (31 days of hours): a bound on the query and on the output. */
export const MAX_TREND_HOURS = 31 * 24;

export interface HourRange {
  /** The first and last hour (start of the hour, UTC), both included. */
  from: Date;
  to: Date;
}

/** `YYYY-MM-DDTHH` of an hour, the form the arguments take. */
export const hourLabel = (t: Date) => t.toISOString().slice(0, 13);

function hourArgument(name: string, value: string): Date {
  try {
    return parseAtHour(value);
  } catch (error) {
    if (error instanceof SnapshotArgumentError) throw new UsageError(error.message.replace(/^at=/, `${name}=`));
    throw error;
  }
}

/**
 * `from=YYYY-MM-DDTHH to=YYYY-MM-DDTHH` (to defaults to the current hour) or `last=Nh` / `last=Nd` (the N hours
 * up to and including the current one). Undefined when none is given: not a trend.
 */
export function parseHourRange(args: { from?: string; to?: string; last?: string }, now = new Date()): HourRange | undefined {
  const { from, to, last } = args;
  if (from === undefined && to === undefined && last === undefined) return undefined;
  const currentHour = new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS);
  let range: HourRange;
  if (last !== undefined) {
    if (from !== undefined || to !== undefined) throw new UsageError('give either last= or from=/to=, not both');
    const m = /^(\d+)([hd])$/.exec(last.trim());
    const hours = m ? Number(m[1]) * (m[2] === 'd' ? 24 : 1) : 0;
    if (!m || hours < 1) throw new UsageError(`last=${last} is not a number of hours or days such as last=24h or last=7d`);
    range = { from: new Date(currentHour.getTime() - (hours - 1) * HOUR_MS), to: currentHour };
  } else {
    if (from === undefined) throw new UsageError('to= needs from= (or use last=24h)');
    range = { from: hourArgument('from', from), to: to === undefined ? currentHour : hourArgument('to', to) };
  }
  const hours = (range.to.getTime() - range.from.getTime()) / HOUR_MS + 1;
  if (hours < 1) throw new UsageError(`from=${hourLabel(range.from)} is after to=${hourLabel(range.to)}`);
  if (hours > MAX_TREND_HOURS) throw new UsageError(`a trend covers at most ${MAX_TREND_HOURS} hours (31 days); this range has ${hours}`);
  return range;
}

export interface HourSlot {
  hour: Date;
  /** The newest complete snapshot of the hour; undefined when the hour has none (missing). */
  snapshot?: StoredSnapshot;
}

/** Each hour of the range with the newest complete snapshot taken in it, if any. */
export function hourSlots(range: HourRange, snapshots: readonly StoredSnapshot[]): HourSlot[] {
  const slots: HourSlot[] = [];
  for (let t = range.from.getTime(); t <= range.to.getTime(); t += HOUR_MS) {
    const hour = new Date(t);
    const newest = newestSnapshot(snapshots.map((s) => s.time), hour);
    slots.push({ hour, snapshot: newest && snapshots.find((s) => s.time.getTime() === newest.getTime()) });
  }
  return slots;
}

/** The trend as `format=json` prints it and `/api/trends` answers. */
export interface Trend {
  question: string;
  columns: readonly string[];
  from: string;
  to: string;
  /** One entry per hour of the range, in order; `snapshot` and `rows` are absent for a missing hour. */
  hours: { hour: string; snapshot?: string; rows?: AnswerRow[] }[];
  /** The hours without a complete snapshot (`YYYY-MM-DDTHH`). */
  missing: string[];
}

export function buildTrend(question: Question, range: HourRange, slots: readonly HourSlot[], rowsOf: (time: Date) => AnswerRow[]): Trend {
  return {
    question: question.name,
    columns: question.columns,
    from: hourLabel(range.from),
    to: hourLabel(range.to),
    hours: slots.map(({ hour, snapshot }) =>
      snapshot ? { hour: hourLabel(hour), snapshot: snapshot.time.toISOString(), rows: rowsOf(snapshot.time) } : { hour: hourLabel(hour) },
    ),
    missing: slots.filter((s) => !s.snapshot).map((s) => hourLabel(s.hour)),
  };
}

/** RFC 4180 field: quoted when it holds a comma, quote or line break. */
const csvField = (v: AnswerRow[string] | undefined) => {
  const text = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** `format=csv`: one line per answer row, `status` = ok, or `missing` on the one line of an hour without snapshot. */
export function trendCsv(trend: Trend): string {
  const header = ['hour', 'snapshot', 'status', ...trend.columns];
  const lines = trend.hours.flatMap(({ hour, snapshot, rows }) =>
    rows === undefined
      ? [[hour, '', 'missing', ...trend.columns.map(() => '')]]
      : rows.map((row) => [hour, snapshot ?? '', 'ok', ...trend.columns.map((c) => csvField(row[c]))]),
  );
  return [header, ...lines].map((cells) => cells.join(',')).join('\r\n');
}
