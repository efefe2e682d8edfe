/**
 * Arrow IPC ↔ plain JavaScript rows.
 *
 * Decoding (results of collect) maps Spark types to JS values this way:
 *   boolean → boolean; tinyint/smallint/int/float/double → number;
 *   bigint → number when it is a safe integer (|n| ≤ 2^53 − 1), else bigint (never a silently rounded number);
 *   decimal → number when precision ≤ 15 (a double round-trips 15 significant digits), else a string with the exact digits;
 *   string → string; binary → Uint8Array;
 *   date → Date at 00:00 UTC of that day;
 *   timestamp (LTZ) → Date (an instant; milliseconds, sub-millisecond digits are dropped);
 *   timestamp_ntz → Date whose UTC fields are the wall-clock value;
 *   array → array; struct → plain object; map → plain object keyed by String(key); null → null.
 */
import {
  DataType as ArrowType,
  type Field,
  RecordBatchReader,
  Table,
  Type,
  vectorFromArray,
  tableToIPC,
  Bool,
  Int8,
  Int16,
  Int32,
  Int64,
  Float32,
  Float64,
  Utf8,
  Binary,
  DateDay,
  TimestampMicrosecond,
  Null,
  type RecordBatch,
  type Vector,
} from 'apache-arrow';
import { StructType } from './types.js';

export type Row = Record<string, unknown>;

/** Reads every record batch of one Arrow IPC stream (one ExecutePlanResponse.arrow_batch). */
export function readBatches(ipc: Uint8Array): RecordBatch[] {
  return [...RecordBatchReader.from(ipc)];
}

/** The rows of one record batch as plain objects. */
export function batchToRows(batch: RecordBatch): Row[] {
  const names = batch.schema.fields.map((f) => f.name);
  const duplicates = [...new Set(names.filter((name, i) => names.indexOf(name) !== i))];
  if (duplicates.length) {
    // Rows are objects keyed by column name: a second column of the same name would silently replace the first.
    throw new Error(
      `the result has more than one column named ${duplicates.map((d) => `'${d}'`).join(', ')} (columns: ${names.join(', ')}); ` +
        'give them distinct names with alias() or select only one of them (after a join, qualify with df.alias())',
    );
  }
  const n = batch.numRows;
  const rows: Row[] = new Array(n);
  for (let r = 0; r < n; r++) rows[r] = {};
  // Column by column: one pass of Arrow's iterator per column is much cheaper than get(r) per cell.
  batch.schema.fields.forEach((field, i) => {
    const vector = batch.getChildAt(i)!;
    const convert = converterOf(field.type);
    let r = 0;
    for (const value of vector) rows[r++]![field.name] = convert(value);
  });
  return rows;
}

/** The conversion of one column's values: identity where Arrow already gives the documented JS value. */
function converterOf(type: ArrowType): (value: unknown) => unknown {
  switch (type.typeId) {
    case Type.Bool:
    case Type.Float:
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Binary:
      return (v) => (v === undefined ? null : v);
    case Type.Int:
      return (type as unknown as { bitWidth: number }).bitWidth < 64 ? (v) => (v === undefined ? null : v) : (v) => toJs(v, type);
    default:
      return (v) => toJs(v, type);
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** One Arrow value → the JS value documented above. */
function toJs(value: unknown, type: ArrowType): unknown {
  if (value === null || value === undefined) return null;
  switch (type.typeId) {
    case Type.Int: {
      if (typeof value === 'bigint') return value <= MAX_SAFE && value >= -MAX_SAFE ? Number(value) : value;
      return value;
    }
    case Type.Decimal:
      return decimalToJs(value as Uint32Array, (type as unknown as { precision: number; scale: number }).precision, (type as unknown as { scale: number }).scale);
    case Type.Date:
    case Type.Timestamp:
      return value instanceof Date ? value : new Date(Number(value));
    case Type.List:
    case Type.FixedSizeList: {
      const child = (type as unknown as { children: Field[] }).children[0]!.type;
      return [...(value as Vector)].map((v) => toJs(v, child));
    }
    case Type.Struct: {
      const out: Row = {};
      const children = (type as unknown as { children: Field[] }).children;
      const struct = value as { [k: string]: unknown };
      for (const f of children) out[f.name] = toJs(struct[f.name], f.type);
      return out;
    }
    case Type.Map: {
      // Arrow's Map<K, V> has one child, a struct of the key and value fields.
      const entries = (type as unknown as { children: Field[] }).children[0]?.type as unknown as { children: Field[] } | undefined;
      const [keyField, valueField] = entries?.children ?? [];
      if (!keyField || !valueField) throw new Error(`a map column of the result has no key and value fields: ${String(type)}`);
      const out: Row = {};
      for (const [k, v] of value as Iterable<[unknown, unknown]>) out[String(toJs(k, keyField.type))] = toJs(v, valueField.type);
      return out;
    }
    default:
      return value;
  }
}

/** A 128-bit little-endian two's-complement decimal → number (precision ≤ 15: round-trips 15 significant digits) or exact string. */
function decimalToJs(words: Uint32Array, precision: number, scale: number): number | string {
  let unscaled = 0n;
  for (let i = words.length - 1; i >= 0; i--) unscaled = (unscaled << 32n) | BigInt(words[i]!);
  const bits = BigInt(words.length * 32);
  if (unscaled >> (bits - 1n)) unscaled -= 1n << bits;
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const text = `${negative ? '-' : ''}${scale > 0 ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits}`;
  return precision <= 15 ? Number(text) : text;
}

export class LocalDataError extends Error {
  override name = 'LocalDataError';
}

/** How a Spark type (DDL spelling) travels in a LocalRelation; `cast` marks types sent as strings and cast on Spark. */
function wireTypeOf(ddlType: string, column: string): { arrow: ArrowType; kind: string; cast: boolean } {
  const t = ddlType.trim().toLowerCase();
  if (/^(decimal|dec|numeric)\b/.test(t)) return { arrow: new Utf8(), kind: 'decimal', cast: true };
  if (/^(char|varchar)\b/.test(t)) return { arrow: new Utf8(), kind: 'string', cast: false };
  const simple: Record<string, () => ArrowType> = {
    void: () => new Null(),
    boolean: () => new Bool(),
    tinyint: () => new Int8(),
    byte: () => new Int8(),
    smallint: () => new Int16(),
    short: () => new Int16(),
    int: () => new Int32(),
    integer: () => new Int32(),
    bigint: () => new Int64(),
    long: () => new Int64(),
    float: () => new Float32(),
    real: () => new Float32(),
    double: () => new Float64(),
    string: () => new Utf8(),
    binary: () => new Binary(),
    date: () => new DateDay(),
    timestamp: () => new TimestampMicrosecond('UTC'),
    timestamp_ltz: () => new TimestampMicrosecond('UTC'),
    timestamp_ntz: () => new TimestampMicrosecond(),
  };
  const make = simple[t];
  if (!make) throw new LocalDataError(`createDataFrame: column ${column} has type ${ddlType}; local data supports atomic types only`);
  return { arrow: make(), kind: t, cast: false };
}

const INT_RANGES: Record<string, [number, number]> = {
  tinyint: [-(2 ** 7), 2 ** 7 - 1],
  byte: [-(2 ** 7), 2 ** 7 - 1],
  smallint: [-(2 ** 15), 2 ** 15 - 1],
  short: [-(2 ** 15), 2 ** 15 - 1],
  int: [-(2 ** 31), 2 ** 31 - 1],
  integer: [-(2 ** 31), 2 ** 31 - 1],
};
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function coerce(value: unknown, kind: string, column: string, rowIndex: number): unknown {
  if (value === null || value === undefined) return null;
  const bad = (): never => {
    throw new LocalDataError(`createDataFrame: row ${rowIndex}, column ${column}: ${JSON.stringify(String(value))} is not a ${kind}`);
  };
  switch (kind) {
    case 'boolean':
      return typeof value === 'boolean' ? value : bad();
    case 'tinyint': case 'byte': case 'smallint': case 'short': case 'int': case 'integer': {
      if (typeof value !== 'number' || !Number.isInteger(value)) return bad();
      // Arrow would wrap an out-of-range value around to another number without a word.
      const [lo, hi] = INT_RANGES[kind]!;
      if (value < lo || value > hi) {
        throw new LocalDataError(`createDataFrame: row ${rowIndex}, column ${column}: ${value} is out of the ${kind} range ${lo}..${hi}`);
      }
      return value;
    }
    case 'bigint': case 'long': {
      const big = typeof value === 'bigint' ? value : typeof value === 'number' && Number.isInteger(value) ? BigInt(value) : bad();
      // A number above 2^53 may already be a rounded neighbour of what was meant: such values must come as bigint.
      if (typeof value === 'number' && !Number.isSafeInteger(value)) {
        throw new LocalDataError(
          `createDataFrame: row ${rowIndex}, column ${column}: ${value} is beyond ±(2^53 − 1), where a number is not exact; pass it as a bigint`,
        );
      }
      if (big < INT64_MIN || big > INT64_MAX) {
        throw new LocalDataError(`createDataFrame: row ${rowIndex}, column ${column}: ${big} is out of the ${kind} range ${INT64_MIN}..${INT64_MAX}`);
      }
      return big;
    }
    case 'float': case 'real': case 'double':
      return typeof value === 'number' ? value : bad();
    case 'string':
      return typeof value === 'string' ? value : bad();
    case 'decimal':
      return typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string' ? String(value) : bad();
    case 'binary':
      return value instanceof Uint8Array ? value : bad();
    case 'date': case 'timestamp': case 'timestamp_ltz': case 'timestamp_ntz': {
      const d = value instanceof Date ? value : typeof value === 'string' || typeof value === 'number' ? new Date(value) : bad();
      return Number.isNaN((d as Date).getTime()) ? bad() : d;
    }
    default:
      return bad();
  }
}

/**
 * Rows (objects keyed by field name, or arrays in field order) → one Arrow IPC stream and the schema it carries.
 * `castBack` names the columns sent as strings (decimals, kept exact) that the caller casts on Spark.
 */
export function rowsToArrowIpc(
  rows: readonly (object | readonly unknown[])[],
  schema: StructType,
): { ipc: Uint8Array; wireSchema: StructType; castBack?: Set<string> } {
  const vectors: Record<string, Vector> = {};
  const castBack = new Set<string>();
  const wireFields = schema.fields.map((f, i) => {
    const wire = wireTypeOf(f.type, f.name);
    const values = rows.map((row, r) => coerce(Array.isArray(row) ? row[i] : (row as Row)[f.name], wire.kind, f.name, r));
    vectors[f.name] = vectorFromArray(values as unknown[], wire.arrow);
    if (wire.cast) castBack.add(f.name);
    return { ...f, type: wire.cast ? 'string' : f.type };
  });
  return { ipc: tableToIPC(new Table(vectors), 'stream'), wireSchema: new StructType(wireFields), castBack: castBack.size ? castBack : undefined };
}
