/**
 * DataFrame, reader and writer build the Spark Connect plans the server expects (checked through the generated
 * protocol: each plan is encoded and decoded as it would travel). No server: the session here only numbers plans
 * and records the commands it is asked to run.
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { PlanSchema, type Plan } from '../../spark/gen/spark/connect/base_pb.js';
import { CommandSchema, WriteOperation_SaveMode } from '../../spark/gen/spark/connect/commands_pb.js';
import { Join_JoinType, SetOperation_SetOpType, type Relation } from '../../spark/gen/spark/connect/relations_pb.js';
import { DataFrame } from '../../spark/sql/dataframe.js';
import { DataFrameReader } from '../../spark/sql/reader.js';
import { SparkSession } from '../../spark/sql/session.js';
import { readBatches, batchToRows } from '../../spark/sql/arrow.js';
import * as F from '../../spark/sql/functions.js';

/** Just enough of a session to build plans offline: plan ids, and the commands it would run. */
function offlineSession() {
  let id = 0n;
  const commands: unknown[] = [];
  const session = {
    nextPlanId: () => id++,
    runCommand: async (command: unknown) => void commands.push(command),
  } as unknown as SparkSession;
  // createDataFrame only builds a plan, so the real method can run against this stand-in.
  (session as unknown as { createDataFrame: SparkSession['createDataFrame'] }).createDataFrame = SparkSession.prototype.createDataFrame;
  return { session, commands };
}

const onWire = (df: DataFrame): Relation => {
  const plan = fromBinary(PlanSchema, toBinary(PlanSchema, df.plan())) as Plan;
  if (plan.opType.case !== 'root') throw new Error('not a relation plan');
  return plan.opType.value;
};

describe('DataFrame plans', () => {
  const { session } = offlineSession();
  const base = DataFrame.make(session, { case: 'range', value: { end: 10n, step: 1n } });

  it('numbers every plan node and chains inputs', () => {
    const rel = onWire(base.filter('id > 2').select('id', F.col('id').multiply(2).alias('twice')).limit(3));
    expect(rel.relType.case).toBe('limit');
    const limit = rel.relType.value as { limit: number; input: Relation };
    expect(limit.limit).toBe(3);
    const project = limit.input.relType.value as { input: Relation; expressions: unknown[] };
    expect(limit.input.relType.case).toBe('project');
    expect(project.expressions).toHaveLength(2);
    expect(project.input.relType.case).toBe('filter');
    const ids = [rel, limit.input, project.input].map((r) => r.common?.planId);
    expect(new Set(ids).size).toBe(3);
  });

  it.each([
    ['inner', Join_JoinType.INNER],
    ['left', Join_JoinType.LEFT_OUTER],
    ['left_outer', Join_JoinType.LEFT_OUTER],
    ['right', Join_JoinType.RIGHT_OUTER],
    ['full', Join_JoinType.FULL_OUTER],
    ['full_outer', Join_JoinType.FULL_OUTER],
    ['semi', Join_JoinType.LEFT_SEMI],
    ['left_anti', Join_JoinType.LEFT_ANTI],
    ['cross', Join_JoinType.CROSS],
  ] as const)('join how=%s is join type %i', (how, type) => {
    const rel = onWire(base.join(base, 'id', how));
    const join = rel.relType.value as { joinType: number; usingColumns: string[] };
    expect(join.joinType).toBe(type);
    expect(join.usingColumns).toEqual(['id']);
  });

  it('joins on an expression, and refuses unknown join types', () => {
    const join = onWire(base.join(base.alias('b'), F.col('id').eq(F.col('b.id')), 'left')).relType.value as {
      joinCondition?: unknown;
      usingColumns: string[];
    };
    expect(join.joinCondition).toBeDefined();
    expect(join.usingColumns).toEqual([]);
    expect(() => base.join(base, 'id', 'sideways' as never)).toThrow(/unknown join type 'sideways'/);
  });

  it('union is UNION ALL by position, unionByName matches names, distinct dedupes on every column', () => {
    const union = onWire(base.union(base)).relType.value as { setOpType: number; isAll: boolean; byName: boolean };
    expect(union).toMatchObject({ setOpType: SetOperation_SetOpType.UNION, isAll: true, byName: false });
    expect(onWire(base.unionByName(base, true)).relType.value).toMatchObject({ byName: true, allowMissingColumns: true });
    expect(onWire(base.distinct()).relType.value).toMatchObject({ allColumnsAsKeys: true });
    expect(onWire(base.dropDuplicates(['id'])).relType.value).toMatchObject({ columnNames: ['id'] });
  });

  it('groupBy().agg is a GROUPBY aggregate; orderBy a global sort with the given directions', () => {
    const agg = onWire(base.groupBy('id').agg(F.count('*').alias('n'))).relType.value as {
      groupType: number;
      groupingExpressions: unknown[];
      aggregateExpressions: unknown[];
    };
    expect(agg.groupType).toBe(1);
    expect(agg.groupingExpressions).toHaveLength(1);
    expect(agg.aggregateExpressions).toHaveLength(1);
    const sort = onWire(base.orderBy(F.col('id').desc(), 'id')).relType.value as {
      isGlobal: boolean;
      order: { direction: number; nullOrdering: number }[];
    };
    expect(sort.isGlobal).toBe(true);
    expect(sort.order.map((o) => [o.direction, o.nullOrdering])).toEqual([
      [2, 2], // descending, nulls last
      [1, 1], // ascending, nulls first
    ]);
  });

  it('withColumns, withColumnRenamed and drop carry names', () => {
    const w = onWire(base.withColumns({ a: F.lit(1), b: F.lit(2) })).relType.value as { aliases: { name: string[] }[] };
    expect(w.aliases.map((a) => a.name)).toEqual([['a'], ['b']]);
    expect(onWire(base.withColumnRenamed('id', 'key')).relType.value).toMatchObject({ renames: [{ colName: 'id', newColName: 'key' }] });
    expect(onWire(base.drop('id')).relType.value).toMatchObject({ columnNames: ['id'] });
  });

  it('coalesce narrows without a shuffle, hint names a planner hint', () => {
    expect(onWire(base.coalesce(1)).relType).toMatchObject({ case: 'repartition', value: { numPartitions: 1, shuffle: false } });
    expect(onWire(base.hint('broadcast')).relType).toMatchObject({ case: 'hint', value: { name: 'broadcast', parameters: [] } });
  });
});

describe('reader, writer and local data', () => {
  it('spark.read carries format, schema, options and paths', () => {
    const { session } = offlineSession();
    const df = new DataFrameReader(session).schema('id STRING, n INT').option('header', true).options({ sep: ';' }).csv('s3a://b/x.csv');
    const read = onWire(df).relType.value as { readType: { case: string; value: unknown } };
    expect(read.readType.case).toBe('dataSource');
    expect(read.readType.value).toMatchObject({ format: 'csv', schema: 'id STRING, n INT', options: { header: 'true', sep: ';' }, paths: ['s3a://b/x.csv'] });
  });

  it('df.write sends one WriteOperation with mode, format, partitioning, options and path', async () => {
    const { session, commands } = offlineSession();
    const df = DataFrame.make(session, { case: 'range', value: { end: 10n, step: 1n } });
    await df.write.mode('overwrite').partitionBy('year', 'month').option('compression', 'zstd').parquet('s3a://b/out');
    const command = fromBinary(CommandSchema, toBinary(CommandSchema, create(CommandSchema, { commandType: commands[0] as never })));
    expect(command.commandType.case).toBe('writeOperation');
    expect(command.commandType.value).toMatchObject({
      source: 'parquet',
      mode: WriteOperation_SaveMode.OVERWRITE,
      partitioningColumns: ['year', 'month'],
      options: { compression: 'zstd' },
      saveType: { case: 'path', value: 's3a://b/out' },
    });
    expect(() => df.write.mode('sometimes' as never)).toThrow(/unknown save mode/);
  });

  it('createDataFrame is a LocalRelation: Arrow IPC of the rows plus their DDL; decimals cast back on Spark', () => {
    const { session } = offlineSession();
    const plain = onWire(session.createDataFrame([{ id: 'a', n: 1 }, { id: 'b', n: null }], 'id STRING, n BIGINT'));
    expect(plain.relType.case).toBe('localRelation');
    const local = plain.relType.value as { data: Uint8Array; schema: string };
    expect(local.schema).toBe('id string, n bigint');
    expect(readBatches(local.data).flatMap(batchToRows)).toEqual([{ id: 'a', n: 1 }, { id: 'b', n: null }]);

    const withDecimal = onWire(session.createDataFrame([{ amount: '1.25' }], 'amount DECIMAL(10,2)'));
    expect(withDecimal.relType.case).toBe('project');
    const project = withDecimal.relType.value as { input: Relation };
    expect((project.input.relType.value as { schema: string }).schema).toBe('amount string');
  });
});

describe('observe', () => {
  it('adds a CollectMetrics node named after the observation, and the observation fills from the response', async () => {
    const { Observation, ObservationNotReadyError } = await import('../../spark/sql/observation.js');
    const { ExecutePlanResponseSchema } = await import('../../spark/gen/spark/connect/base_pb.js');
    const observations = new Map<string, unknown>();
    let id = 0n;
    const session = {
      nextPlanId: () => id++,
      registerObservation: SparkSession.prototype.registerObservation,
      receive: SparkSession.prototype.receive,
      observations,
      forgetObservation: new FinalizationRegistry(() => undefined),
    } as unknown as SparkSession;
    const obs = new Observation();
    const df = DataFrame.make(session, { case: 'range', value: { end: 10n, step: 1n } }).observe(obs, F.count(F.lit(1)).alias('rows'));
    const relation = onWire(df);
    expect(relation.relType.case).toBe('collectMetrics');
    if (relation.relType.case !== 'collectMetrics') return;
    expect(relation.relType.value.name).toBe(obs.name);
    expect(relation.relType.value.metrics).toHaveLength(1);
    expect(relation.relType.value.input?.relType.case).toBe('range');
    expect(() => obs.get()).toThrow(ObservationNotReadyError);

    session.receive(
      create(ExecutePlanResponseSchema, {
        observedMetrics: [{ name: obs.name, keys: ['rows'], values: [{ literalType: { case: 'long', value: 10n } }] }],
      }),
    );
    expect(obs.get()).toEqual({ rows: 10n });
    expect(() => df.observe(new Observation(obs.name), F.count(F.lit(1)).alias('n'))).toThrow(/already named/);
  });
});
