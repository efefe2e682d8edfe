/** Spark built-in functions, PySpark-named. Column-name strings are columns; other values are literals. */
import { call, col, Column, literal, toColumn, type ColumnLike, type LiteralValue } from './column.js';

const c = toColumn;
const fn = (name: string, ...cols: ColumnLike[]) => call(name, ...cols.map(c));

export { col };
export const lit = (value: LiteralValue): Column => new Column(literal(value));
/** A SQL expression string, parsed by Spark: `expr("try_cast(x AS double)")`. */
export const expr = (sql: string): Column => new Column({ exprType: { case: 'expressionString', value: { expression: sql } } });

/** `when(cond, value).when(...).otherwise(value)`: a CASE WHEN expression. */
export class When extends Column {
  constructor(private readonly branches: unknown[]) {
    super(call('when', ...branches).expr);
  }
  when(condition: Column, value: unknown): When {
    return new When([...this.branches, condition, value]);
  }
  otherwise(value: unknown): Column {
    return call('when', ...this.branches, value);
  }
}
export const when = (condition: Column, value: unknown): When => new When([condition, value]);

export const coalesce = (...cols: ColumnLike[]) => fn('coalesce', ...cols);
export const greatest = (...cols: ColumnLike[]) => fn('greatest', ...cols);
export const least = (...cols: ColumnLike[]) => fn('least', ...cols);
export const asc = (x: ColumnLike) => c(x).asc();
export const desc = (x: ColumnLike) => c(x).desc();

// Aggregates
export const count = (x: ColumnLike) => (x === '*' ? call('count', lit(1)) : fn('count', x));
export const countDistinct = (...cols: ColumnLike[]) =>
  new Column({
    exprType: { case: 'unresolvedFunction', value: { functionName: 'count', arguments: cols.map((x) => c(x).expr), isDistinct: true } },
  });
export const sum = (x: ColumnLike) => fn('sum', x);
export const avg = (x: ColumnLike) => fn('avg', x);
export const min = (x: ColumnLike) => fn('min', x);
export const max = (x: ColumnLike) => fn('max', x);
export const first = (x: ColumnLike, ignoreNulls = false) => call('first', c(x), ignoreNulls);
export const max_by = (x: ColumnLike, ord: ColumnLike) => fn('max_by', x, ord);
export const count_if = (x: ColumnLike) => fn('count_if', x);
export const collect_list = (x: ColumnLike) => fn('collect_list', x);

// Ranking (use with .over(window))
export const row_number = () => call('row_number');
export const rank = () => call('rank');
export const dense_rank = () => call('dense_rank');
/** Unique, increasing ids: in a sorted frame they follow the sort order (partition index, then row). */
export const monotonically_increasing_id = () => call('monotonically_increasing_id');

// Math
export const round = (x: ColumnLike, scale = 0) => call('round', c(x), scale);
export const abs = (x: ColumnLike) => fn('abs', x);
export const radians = (x: ColumnLike) => fn('radians', x);
export const sin = (x: ColumnLike) => fn('sin', x);
export const cos = (x: ColumnLike) => fn('cos', x);
export const asin = (x: ColumnLike) => fn('asin', x);
export const sqrt = (x: ColumnLike) => fn('sqrt', x);
export const pow = (x: ColumnLike, y: ColumnLike | number) => call('power', c(x), typeof y === 'number' ? y : c(y));

// Strings
export const concat = (...cols: ColumnLike[]) => fn('concat', ...cols);
export const concat_ws = (separator: string, ...cols: ColumnLike[]) => call('concat_ws', separator, ...cols.map(c));
export const upper = (x: ColumnLike) => fn('upper', x);
export const lower = (x: ColumnLike) => fn('lower', x);
export const trim = (x: ColumnLike) => fn('trim', x);
export const length = (x: ColumnLike) => fn('length', x);
export const substring = (x: ColumnLike, position: number, len: number) => call('substring', c(x), position, len);
export const regexp_replace = (x: ColumnLike, pattern: string, replacement: string) => call('regexp_replace', c(x), pattern, replacement);

// Time
export const to_timestamp = (x: ColumnLike, format?: string) => (format ? call('to_timestamp', c(x), format) : fn('to_timestamp', x));
export const to_date = (x: ColumnLike, format?: string) => (format ? call('to_date', c(x), format) : fn('to_date', x));
export const from_unixtime = (x: ColumnLike, format = 'yyyy-MM-dd HH:mm:ss') => call('from_unixtime', c(x), format);
export const unix_timestamp = (x: ColumnLike) => fn('unix_timestamp', x);
export const date_format = (x: ColumnLike, format: string) => call('date_format', c(x), format);
export const current_timestamp = () => call('current_timestamp');

// Collections and maps
export const element_at = (x: ColumnLike, key: unknown) => call('element_at', c(x), key);
export const create_map = (...cols: ColumnLike[]) => fn('map', ...cols);
export const array = (...cols: ColumnLike[]) => fn('array', ...cols);
export const size = (x: ColumnLike) => fn('size', x);
