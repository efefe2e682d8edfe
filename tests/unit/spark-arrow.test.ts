/**
 * Arrow IPC ↔ JS rows (spark/sql/arrow.ts): local rows encoded for a LocalRelation decode back to the same
 * values, and the documented mapping of Spark's Arrow types (longs, decimals, timestamps, nested) holds.
 */
import { describe, expect, it } from 'vitest';
import {
  Decimal,
  Field,
  Int32,
  List,
  Map_,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimestampMicrosecond,
  Utf8,
  makeData,
  makeVector,
  tableToIPC,
  vectorFromArray,
  type Vector,
} from 'apache-arrow';
import { LocalDataError, batchToRows, readBatches, rowsToArrowIpc } from '../../spark/sql/arrow.js';
import { StructType } from '../../spark/sql/types.js';

const decode = (ipc: Uint8Array) => readBatches(ipc).flatMap(batchToRows);
const ipcOf = (columns: Record<string, Vector>) => tableToIPC(new Table(columns), 'stream');

describe('local rows → Arrow IPC → rows', () => {
  const schema = StructType.fromDDL(
    'name STRING, small INT, big BIGINT, ratio DOUBLE, ok BOOLEAN, day DATE, at TIMESTAMP, amount DECIMAL(20,3)',
  );
  const rows = [
    {
      name: 'a, "quoted"',
      small: -7,
      big: 2n ** 62n + 1n,
      ratio: 0.1,
      ok: true,
      day: new Date('2024-04-18T00:00:00Z'),
      at: new Date('2024-04-18T17:17:00.123Z'),
      amount: '12345678901234567.891',
    },
    { name: null, small: null, big: 42, ratio: null, ok: false, day: null, at: null, amount: 1.5 },
  ];

  it('keeps every value, longs beyond 2^53 as bigint, safe longs as number', () => {
    const { ipc, wireSchema, castBack } = rowsToArrowIpc(rows, schema);
    const back = decode(ipc);
    expect(back).toEqual([
      { ...rows[0], amount: '12345678901234567.891' },
      { ...rows[1], big: 42, amount: '1.5' },
    ]);
    // Decimals travel as exact strings and are cast back on Spark.
    expect(castBack).toEqual(new Set(['amount']));
    expect(wireSchema.toDDL()).toContain('amount string');
  });

  it('accepts rows as arrays in field order', () => {
    const { ipc } = rowsToArrowIpc([['x', 1]], StructType.fromDDL('s STRING, n INT'));
    expect(decode(ipc)).toEqual([{ s: 'x', n: 1 }]);
  });

  it('names the row and column of a value that does not fit its type', () => {
    expect(() => rowsToArrowIpc([{ n: 1 }, { n: 'two' }], StructType.fromDDL('n INT'))).toThrow(LocalDataError);
    expect(() => rowsToArrowIpc([{ n: 1 }, { n: 'two' }], StructType.fromDDL('n INT'))).toThrow(/row 1, column n/);
    expect(() => rowsToArrowIpc([{ n: 1.5 }], StructType.fromDDL('n BIGINT'))).toThrow(/column n/);
    expect(() => rowsToArrowIpc([{ m: {} }], StructType.fromDDL('m MAP<STRING,INT>'))).toThrow(/atomic types/);
  });

  it('refuses integers outside their column type instead of letting Arrow wrap them around', () => {
    const encode = (ddl: string, value: unknown) => rowsToArrowIpc([{ n: value }], StructType.fromDDL(`n ${ddl}`));
    for (const [ddl, lo, hi] of [['TINYINT', -128, 127], ['SMALLINT', -32768, 32767], ['INT', -(2 ** 31), 2 ** 31 - 1]] as const) {
      expect(decode(encode(ddl, lo).ipc)).toEqual([{ n: lo }]);
      expect(decode(encode(ddl, hi).ipc)).toEqual([{ n: hi }]);
      expect(() => encode(ddl, hi + 1)).toThrow(new RegExp(`row 0, column n: ${hi + 1} is out of the ${ddl.toLowerCase()} range`));
      expect(() => encode(ddl, lo - 1)).toThrow(LocalDataError);
    }
    expect(decode(encode('BIGINT', Number.MAX_SAFE_INTEGER).ipc)).toEqual([{ n: Number.MAX_SAFE_INTEGER }]);
    // 2^53 + 1 is not a double: the number given may already be a neighbour of the one meant.
    expect(() => encode('BIGINT', 2 ** 53 + 2)).toThrow(/column n: .* pass it as a bigint/);
    expect(decode(encode('BIGINT', 2n ** 63n - 1n).ipc)).toEqual([{ n: 2n ** 63n - 1n }]);
    expect(() => encode('BIGINT', 2n ** 63n)).toThrow(/out of the bigint range/);
  });

  it('encodes an empty table with its schema', () => {
    const { ipc } = rowsToArrowIpc([], StructType.fromDDL('s STRING, n INT'));
    const batches = readBatches(ipc);
    expect(batches.flatMap(batchToRows)).toEqual([]);
  });
});

describe('decoding Spark Arrow types', () => {
  it('refuses a result with two columns of one name rather than keep only one in each row', () => {
    // As a join returns it: both sides' `id`. Arrow's Table-from-columns keys by name, so the batch is built whole.
    const fields = [new Field('id', new Int32()), new Field('name', new Utf8()), new Field('id', new Int32())];
    const children = [vectorFromArray([1], new Int32()), vectorFromArray(['x'], new Utf8()), vectorFromArray([2], new Int32())].map((v) => v.data[0]!);
    const batch = new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: 1, nullCount: 0, children }));
    const [received] = readBatches(tableToIPC(new Table([batch]), 'stream'));
    expect(received!.schema.fields.map((f) => f.name)).toEqual(['id', 'name', 'id']);
    expect(() => batchToRows(received!)).toThrow(/more than one column named 'id' \(columns: id, name, id\).*alias/);
  });

  it('decimals: number up to precision 15, exact string above, negatives in two’s complement', () => {
    const words = (v: bigint) => {
      const u = BigInt.asUintN(128, v);
      return [0, 1, 2, 3].map((i) => Number((u >> BigInt(32 * i)) & 0xffffffffn));
    };
    const small = makeVector(makeData({ type: new Decimal(2, 10, 128), length: 2, nullCount: 0, data: new Uint32Array([...words(-125n), ...words(100050n)]) }));
    const large = makeVector(
      makeData({ type: new Decimal(3, 38, 128), length: 1, nullCount: 0, data: new Uint32Array(words(-(10n ** 30n) - 7n)) }),
    );
    expect(decode(ipcOf({ d: small }))).toEqual([{ d: -1.25 }, { d: 1000.5 }]);
    expect(decode(ipcOf({ d: large }))).toEqual([{ d: '-1000000000000000000000000000.007' }]);
  });

  it('timestamps with and without time zone become Dates of the same UTC fields', () => {
    const at = new Date('2024-04-18T17:17:00Z');
    const ltz = vectorFromArray([at, null], new TimestampMicrosecond('UTC'));
    const ntz = vectorFromArray([at, null], new TimestampMicrosecond());
    expect(decode(ipcOf({ ltz, ntz }))).toEqual([
      { ltz: at, ntz: at },
      { ltz: null, ntz: null },
    ]);
  });

  it('arrays, structs and maps become arrays, objects and objects', () => {
    const list = vectorFromArray([[1, 2], [], null], new List(new Field('element', new Int32(), true)));
    const struct = vectorFromArray(
      [{ a: 1, b: 'x' }, { a: null, b: 'y' }, null],
      new Struct([new Field('a', new Int32(), true), new Field('b', new Utf8(), true)]),
    );
    const entries = new Struct([new Field('key', new Utf8(), false), new Field('value', new Int32(), true)]);
    const map = vectorFromArray([new Map([['k', 1]]), new Map(), null], new Map_(new Field('entries', entries, false)));
    expect(decode(ipcOf({ list, struct, map }))).toEqual([
      { list: [1, 2], struct: { a: 1, b: 'x' }, map: { k: 1 } },
      { list: [], struct: { a: null, b: 'y' }, map: {} },
      { list: null, struct: null, map: null },
    ]);
  });
});
