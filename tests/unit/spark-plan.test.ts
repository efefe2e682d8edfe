import { create, toBinary, fromBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { ExpressionSchema } from '../../spark/gen/spark/connect/expressions_pb.js';
import { Column } from '../../spark/sql/column.js';
import * as F from '../../spark/sql/functions.js';
import { StructType } from '../../spark/sql/types.js';
import { Window } from '../../spark/sql/window.js';
import { parseChannelUrl, ChannelUrlError } from '../../spark/transport/url.js';

/** An expression as the server receives it: built, encoded and decoded again through the generated protocol. */
const wire = (c: Column) => fromBinary(ExpressionSchema, toBinary(ExpressionSchema, create(ExpressionSchema, c.expr)));

describe('Spark Connect URL', () => {
  it('reads host, port and the parameters Spark Connect defines', () => {
    const url = parseChannelUrl('sc://spark.example:15003/;user_id=etl;session_id=0f8e6c1a-6d0e-4b6f-9a43-1c2b3d4e5f60;use_ssl=true;token=s3cret');
    expect(url).toMatchObject({ host: 'spark.example', port: 15003, userId: 'etl', useSsl: true, token: 's3cret' });
    expect(url.sessionId).toBe('0f8e6c1a-6d0e-4b6f-9a43-1c2b3d4e5f60');
    expect(url.display).not.toContain('s3cret');
    expect(parseChannelUrl('sc://127.0.0.1').port).toBe(15002);
  });

  it('refuses what it cannot honour, saying why', () => {
    expect(() => parseChannelUrl('http://h:1')).toThrow(ChannelUrlError);
    expect(() => parseChannelUrl('sc://h:1/;colour=red')).toThrow(/unknown parameter 'colour'/);
    expect(() => parseChannelUrl('sc://h:99999')).toThrow(/out of range/);
    // A token in plaintext to another machine would be readable on the way.
    expect(() => parseChannelUrl('sc://remote.example:15002/;token=abc')).toThrow(/use_ssl=true/);
    expect(parseChannelUrl('sc://127.0.0.1:15002/;token=abc').token).toBe('abc');
  });

  it('sends a token in plaintext only to a loopback address, not to a name that looks like one', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '[::1]']) {
      expect(parseChannelUrl(`sc://${host}:15002/;token=abc`).token).toBe('abc');
    }
    for (const host of ['127.evil.example', '127.0.0.1.evil.example', '10.0.0.1']) {
      expect(() => parseChannelUrl(`sc://${host}:15002/;token=abc`)).toThrow(/use_ssl=true/);
    }
  });

  it('takes the gRPC message size limit from grpc_max_message_size (256 MiB unless given)', () => {
    expect(parseChannelUrl('sc://h').maxMessageSize).toBe(256 * 1024 * 1024);
    expect(parseChannelUrl('sc://h/;grpc_max_message_size=1048576').maxMessageSize).toBe(1048576);
    for (const bad of ['0', '-5', '1.5', 'lots', '4294967296']) {
      expect(() => parseChannelUrl(`sc://h/;grpc_max_message_size=${bad}`)).toThrow(/grpc_max_message_size/);
    }
  });

  it('never puts a token into an error message', () => {
    expect(() => parseChannelUrl('sc://h:1/;token=s3cret;colour=red')).toThrow(/token=\*\*\*/);
    expect(() => parseChannelUrl('sc://h:1/;token=s3cret;colour=red')).not.toThrow(/s3cret/);
  });
});

describe('Column and functions build Spark Connect expressions', () => {
  it('names columns, makes literals of values and calls built-ins by name', () => {
    const e = wire(F.col('distance').multiply(2).gt(F.lit(1000.5)).alias('far'));
    expect(e.exprType.case).toBe('alias');
    const alias = e.exprType.value as { name: string[]; expr: typeof e };
    expect(alias.name).toEqual(['far']);
    const gt = alias.expr.exprType.value as { functionName: string; arguments: (typeof e)[] };
    expect(gt.functionName).toBe('>');
    const times = gt.arguments[0]!.exprType.value as { functionName: string; arguments: (typeof e)[] };
    expect(times.functionName).toBe('*');
    expect(times.arguments[0]!.exprType).toMatchObject({ case: 'unresolvedAttribute', value: { unparsedIdentifier: 'distance' } });
    expect(times.arguments[1]!.exprType).toMatchObject({ case: 'literal', value: { literalType: { case: 'integer', value: 2 } } });
    expect(gt.arguments[1]!.exprType).toMatchObject({ case: 'literal', value: { literalType: { case: 'double', value: 1000.5 } } });
  });

  it('keeps 64-bit integers and timestamps exact', () => {
    const big = wire(F.lit(2 ** 40));
    expect(big.exprType).toMatchObject({ case: 'literal', value: { literalType: { case: 'long', value: 2n ** 40n } } });
    const t = wire(F.lit(new Date(Date.UTC(2024, 3, 18, 17, 17, 20, 123))));
    expect(t.exprType).toMatchObject({ case: 'literal', value: { literalType: { case: 'timestamp', value: 1713460640123000n } } });
  });

  it('chains when/otherwise into one CASE WHEN call', () => {
    const e = wire(F.when(F.col('a').isNull(), 'missing').when(F.col('a').lt(0), 'negative').otherwise('ok'));
    const call = e.exprType.value as { functionName: string; arguments: unknown[] };
    expect(call.functionName).toBe('when');
    expect(call.arguments).toHaveLength(5);
  });

  it('counts distinct values with the distinct flag, not a separate function', () => {
    const e = wire(F.countDistinct('airline_icao'));
    expect(e.exprType).toMatchObject({ case: 'unresolvedFunction', value: { functionName: 'count', isDistinct: true } });
  });

  it('orders with explicit directions and null placement, and ranks over windows', () => {
    const sort = wire(F.col('flights').descNullsLast());
    expect(sort.exprType).toMatchObject({ case: 'sortOrder', value: { direction: 2, nullOrdering: 2 } });
    expect(wire(F.col('flights').ascNullsLast()).exprType).toMatchObject({ case: 'sortOrder', value: { direction: 1, nullOrdering: 2 } });
    expect(wire(F.col('flights').descNullsFirst()).exprType).toMatchObject({ case: 'sortOrder', value: { direction: 2, nullOrdering: 1 } });
    const ranked = wire(F.rank().over(Window.partitionBy('country').orderBy(F.col('flights').desc())));
    expect(ranked.exprType.case).toBe('window');
    const w = ranked.exprType.value as { partitionSpec: unknown[]; orderSpec: { direction: number }[] };
    expect(w.partitionSpec).toHaveLength(1);
    expect(w.orderSpec[0]!.direction).toBe(2);
  });

  it('casts by DDL type name, and try-casts with the TRY evaluation mode', () => {
    expect(wire(F.col('x').cast('double')).exprType).toMatchObject({ case: 'cast', value: { castToType: { case: 'typeStr', value: 'double' } } });
    expect(wire(F.col('x').tryCast('double')).exprType).toMatchObject({ case: 'cast', value: { evalMode: 3 } });
  });
});

describe('StructType', () => {
  it('reads DDL with nested types and NOT NULL, and writes it back', () => {
    const s = StructType.fromDDL('id STRING NOT NULL, amount DECIMAL(10,2), tags ARRAY<STRING>, `odd name` MAP<STRING,INT>');
    expect(s.fields.map((f) => [f.name, f.type, f.nullable])).toEqual([
      ['id', 'string', false],
      ['amount', 'decimal(10,2)', true],
      ['tags', 'array<string>', true],
      ['odd name', 'map<string,int>', true],
    ]);
    expect(StructType.fromDDL(s.toDDL()).fields).toEqual(s.fields);
  });
});

describe('map and array lookups', () => {
  it('looks up by a literal key or by another column', () => {
    const byLiteral = wire(F.col('m').getItem('FRA'));
    expect(byLiteral.exprType).toMatchObject({ case: 'unresolvedExtractValue', value: { extraction: { exprType: { case: 'literal' } } } });
    const byColumn = wire(F.col('m').getItem(F.col('origin')));
    expect(byColumn.exprType).toMatchObject({
      case: 'unresolvedExtractValue',
      value: { extraction: { exprType: { case: 'unresolvedAttribute', value: { unparsedIdentifier: 'origin' } } } },
    });
  });
});
