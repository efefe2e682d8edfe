/**
 * DataFrame: an immutable Spark Connect plan (a `Relation`) plus the session that runs it. Transformations
 * return new DataFrames and send nothing; actions (collect, count, show, schema, explain, write) send the
 * plan to the server. Results stream batch by batch: `toArrowBatches()` yields each Arrow record batch as it
 * arrives, and `collect()` is built on it.
 */
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import type { RecordBatch } from 'apache-arrow';
import { PlanSchema, AnalyzePlanRequest_Explain_ExplainMode as ExplainMode, type Plan } from '../gen/spark/connect/base_pb.js';
import {
  RelationSchema,
  Aggregate_GroupType as GroupType,
  Join_JoinType as JoinType,
  SetOperation_SetOpType as SetOpType,
  type Relation,
} from '../gen/spark/connect/relations_pb.js';
import { Column, call, toColumn, type ColumnLike } from './column.js';
import { expr } from './functions.js';
import { batchToRows, readBatches, type Row } from './arrow.js';
import { structTypeOf, type StructType } from './types.js';
import { DataFrameWriter } from './writer.js';
import { Observation } from './observation.js';
import type { SparkSession } from './session.js';

type RelationType = MessageInitShape<typeof RelationSchema>['relType'];
type Cols = (ColumnLike | ColumnLike[])[];

const JOIN_TYPES: Record<string, JoinType> = {
  inner: JoinType.INNER,
  cross: JoinType.CROSS,
  outer: JoinType.FULL_OUTER,
  full: JoinType.FULL_OUTER,
  fullouter: JoinType.FULL_OUTER,
  full_outer: JoinType.FULL_OUTER,
  left: JoinType.LEFT_OUTER,
  leftouter: JoinType.LEFT_OUTER,
  left_outer: JoinType.LEFT_OUTER,
  right: JoinType.RIGHT_OUTER,
  rightouter: JoinType.RIGHT_OUTER,
  right_outer: JoinType.RIGHT_OUTER,
  semi: JoinType.LEFT_SEMI,
  leftsemi: JoinType.LEFT_SEMI,
  left_semi: JoinType.LEFT_SEMI,
  anti: JoinType.LEFT_ANTI,
  leftanti: JoinType.LEFT_ANTI,
  left_anti: JoinType.LEFT_ANTI,
};
export type JoinHow = 'inner' | 'cross' | 'outer' | 'full' | 'fullouter' | 'full_outer' | 'left' | 'leftouter' | 'left_outer'
  | 'right' | 'rightouter' | 'right_outer' | 'semi' | 'leftsemi' | 'left_semi' | 'anti' | 'leftanti' | 'left_anti';

export type ExplainModeName = 'simple' | 'extended' | 'codegen' | 'cost' | 'formatted';

const exprsOf = (cols: Cols) => cols.flat().map((c) => toColumn(c).expr);
const sortOrdersOf = (cols: Cols) => cols.flat().map((c) => toColumn(c).toSortOrder());

export class DataFrame {
  /** @internal use spark.read / spark.sql / spark.range / spark.createDataFrame. */
  constructor(
    readonly sparkSession: SparkSession,
    /** @internal the plan of this DataFrame. */
    readonly relation: Relation,
  ) {}

  /** @internal a new DataFrame whose plan is `relType` (each plan node gets its own plan id). */
  static make(session: SparkSession, relType: RelationType): DataFrame {
    return new DataFrame(session, create(RelationSchema, { common: { planId: session.nextPlanId() }, relType }));
  }
  private derive(relType: RelationType): DataFrame {
    return DataFrame.make(this.sparkSession, relType);
  }

  /** @internal the plan to execute. */
  plan(): Plan {
    return create(PlanSchema, { opType: { case: 'root', value: this.relation } });
  }

  // ---- transformations ----

  select(...cols: Cols): DataFrame {
    return this.derive({ case: 'project', value: { input: this.relation, expressions: exprsOf(cols) } });
  }
  selectExpr(...sql: string[]): DataFrame {
    return this.select(...sql.map(expr));
  }
  withColumn(name: string, col: Column): DataFrame {
    return this.withColumns({ [name]: col });
  }
  withColumns(cols: Record<string, Column>): DataFrame {
    const aliases = Object.entries(cols).map(([name, c]) => ({ expr: c.expr, name: [name] }));
    return this.derive({ case: 'withColumns', value: { input: this.relation, aliases } });
  }
  withColumnRenamed(existing: string, renamed: string): DataFrame {
    return this.derive({ case: 'withColumnsRenamed', value: { input: this.relation, renames: [{ colName: existing, newColName: renamed }] } });
  }
  drop(...cols: ColumnLike[]): DataFrame {
    const names = cols.filter((c): c is string => typeof c === 'string');
    const columns = cols.filter((c): c is Column => c instanceof Column).map((c) => c.expr);
    return this.derive({ case: 'drop', value: { input: this.relation, columns, columnNames: names } });
  }
  /** Rows where `condition` is true; a string is a SQL condition. */
  filter(condition: Column | string): DataFrame {
    const cond = typeof condition === 'string' ? expr(condition) : condition;
    return this.derive({ case: 'filter', value: { input: this.relation, condition: cond.expr } });
  }
  where(condition: Column | string): DataFrame {
    return this.filter(condition);
  }
  /**
   * Joins with `other`: `on` is a column name or names present on both sides (kept once in the result), or a
   * boolean Column. Without `on`, every pair of rows (use 'cross').
   */
  join(other: DataFrame, on?: string | string[] | Column, how: JoinHow = 'inner'): DataFrame {
    const joinType = JOIN_TYPES[how.toLowerCase()];
    if (joinType === undefined) throw new Error(`join: unknown join type '${how}' (known: ${Object.keys(JOIN_TYPES).join(', ')})`);
    const using = typeof on === 'string' ? [on] : Array.isArray(on) ? on : [];
    return this.derive({
      case: 'join',
      value: {
        left: this.relation,
        right: other.relation,
        joinType: on === undefined && joinType === JoinType.INNER ? JoinType.CROSS : joinType,
        usingColumns: using,
        joinCondition: on instanceof Column ? on.expr : undefined,
      },
    });
  }
  crossJoin(other: DataFrame): DataFrame {
    return this.join(other, undefined, 'cross');
  }
  groupBy(...cols: Cols): GroupedData {
    return new GroupedData(this, cols.flat().map(toColumn));
  }
  /** Aggregates over the whole DataFrame (one row). */
  agg(...exprs: Column[]): DataFrame {
    return this.groupBy().agg(...exprs);
  }
  /** Sorted by the given columns (ascending unless given as `.desc()` etc.). */
  orderBy(...cols: Cols): DataFrame {
    return this.derive({ case: 'sort', value: { input: this.relation, order: sortOrdersOf(cols), isGlobal: true } });
  }
  sort(...cols: Cols): DataFrame {
    return this.orderBy(...cols);
  }
  limit(n: number): DataFrame {
    return this.derive({ case: 'limit', value: { input: this.relation, limit: n } });
  }
  /** Distinct rows, or one row per distinct value of `cols` (which one is not defined). */
  dropDuplicates(cols?: string[]): DataFrame {
    return this.derive({
      case: 'deduplicate',
      value: (cols?.length ? { input: this.relation, columnNames: cols } : { input: this.relation, allColumnsAsKeys: true }),
    });
  }
  distinct(): DataFrame {
    return this.dropDuplicates();
  }
  private setOp(other: DataFrame, setOpType: SetOpType, isAll: boolean, byName = false, allowMissingColumns = false): DataFrame {
    return this.derive({
      case: 'setOp',
      value: { leftInput: this.relation, rightInput: other.relation, setOpType, isAll, byName, allowMissingColumns },
    });
  }
  /** UNION ALL by position (duplicates kept, as in PySpark); `.distinct()` after it for SQL's UNION. */
  union(other: DataFrame): DataFrame {
    return this.setOp(other, SetOpType.UNION, true);
  }
  /** UNION ALL matching columns by name. */
  unionByName(other: DataFrame, allowMissingColumns = false): DataFrame {
    return this.setOp(other, SetOpType.UNION, true, true, allowMissingColumns);
  }
  /** A name for this DataFrame, to qualify its columns in joins: `a.alias('a')` then `F.col('a.id')`. */
  alias(name: string): DataFrame {
    return this.derive({ case: 'subqueryAlias', value: { input: this.relation, alias: name } });
  }
  /** A planner hint on this DataFrame, e.g. `small.hint('broadcast')` to broadcast it in a join whatever its estimated size. */
  hint(name: string): DataFrame {
    return this.derive({ case: 'hint', value: { input: this.relation, name, parameters: [] } });
  }
  /** Fewer partitions without a shuffle (e.g. one file per output directory). */
  coalesce(numPartitions: number): DataFrame {
    return this.derive({ case: 'repartition', value: { input: this.relation, numPartitions, shuffle: false } });
  }

  /**
   * The same rows, with `exprs` (aggregates, each with an alias) computed over them while the next action runs;
   * `observation.get()` then returns them. Costs no extra pass: the action's own job computes them.
   */
  observe(observation: Observation | string, ...exprs: Column[]): DataFrame {
    if (!exprs.length) throw new Error('observe needs at least one aggregate expression');
    const obs = typeof observation === 'string' ? new Observation(observation) : observation;
    this.sparkSession.registerObservation(obs);
    return this.derive({ case: 'collectMetrics', value: { input: this.relation, name: obs.name, metrics: exprs.map((c) => c.expr) } });
  }

  // ---- actions ----

  /**
   * The result as Arrow record batches, yielded as they arrive from the server (never buffered whole).
   * The iteration throws if the result stream breaks and cannot be resumed: it never ends early silently.
   */
  async *toArrowBatches(): AsyncGenerator<RecordBatch> {
    for await (const response of this.sparkSession.transport.execute(this.plan(), this.sparkSession.getTags())) {
      this.sparkSession.receive(response);
      if (response.responseType.case === 'arrowBatch') yield* readBatches(response.responseType.value.data);
    }
  }
  /** The result rows, one array per Arrow batch as it arrives. */
  async *stream(): AsyncGenerator<Row[]> {
    for await (const batch of this.toArrowBatches()) yield batchToRows(batch);
  }
  /** Every row of the result as plain JS objects (see arrow.ts for the type mapping). For small results. */
  async collect(): Promise<Row[]> {
    const rows: Row[] = [];
    for await (const batch of this.toArrowBatches()) {
      for (const row of batchToRows(batch)) rows.push(row);
    }
    return rows;
  }
  /** The number of rows (counted on the cluster). */
  async count(): Promise<number> {
    const [row] = await this.groupBy().count().collect();
    // A global aggregate always yields one row: none means the result is wrong, not that there are no rows.
    if (row === undefined) throw new Error('count: the global count returned no row');
    return Number(row.count);
  }
  /** Spark's text table of the first `n` rows; printed to stdout (unless print is false) and returned. */
  async show(n = 20, truncate: boolean | number = true, options: { vertical?: boolean; print?: boolean } = {}): Promise<string> {
    const df = this.derive({
      case: 'showString',
      value: { input: this.relation, numRows: n, truncate: truncate === true ? 20 : truncate === false ? 0 : truncate, vertical: options.vertical ?? false },
    });
    const [row] = await df.collect();
    if (row === undefined) throw new Error('show: ShowString returned no row');
    const text = String(row.show_string);
    if (options.print !== false) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    return text;
  }
  /** The result schema, from the server's analysis (AnalyzePlan): fails with a typed error if the plan is invalid. */
  async schema(): Promise<StructType> {
    return structTypeOf((await this.sparkSession.transport.analyze('schema', { plan: this.plan() })).schema);
  }
  async columns(): Promise<string[]> {
    return (await this.schema()).fields.map((f) => f.name);
  }
  /** [name, type] pairs with PySpark's type names (`string`, `bigint`, `double`, `timestamp`, ...). */
  async dtypes(): Promise<[string, string][]> {
    return (await this.schema()).fields.map((f) => [f.name, f.type]);
  }
  /** The query plan as Spark explains it (returned, not printed). */
  async explain(mode: ExplainModeName | boolean = 'simple'): Promise<string> {
    const name = mode === true ? 'extended' : mode === false ? 'simple' : mode;
    const explainMode = {
      simple: ExplainMode.SIMPLE,
      extended: ExplainMode.EXTENDED,
      codegen: ExplainMode.CODEGEN,
      cost: ExplainMode.COST,
      formatted: ExplainMode.FORMATTED,
    }[name];
    return (await this.sparkSession.transport.analyze('explain', { plan: this.plan(), explainMode })).explainString;
  }
  /** A session-scoped temporary view, usable from spark.sql. */
  async createOrReplaceTempView(name: string): Promise<void> {
    await this.sparkSession.runCommand({
      case: 'createDataframeView',
      value: { input: this.relation, name, isGlobal: false, replace: true },
    });
  }

  /**
   * Keeps this DataFrame's result on the executors (memory, spilling to disk) once an action computed it, for
   * plans used several times. Resolves when Spark has registered the cache (it fills on the next action).
   */
  async cache(): Promise<this> {
    return this.persist();
  }
  async persist(level: { useDisk?: boolean; useMemory?: boolean; deserialized?: boolean; replication?: number } = {}): Promise<this> {
    const storageLevel = { useDisk: true, useMemory: true, useOffHeap: false, deserialized: true, replication: 1, ...level };
    await this.sparkSession.transport.analyze('persist', { relation: this.relation, storageLevel });
    return this;
  }
  async unpersist(blocking = false): Promise<this> {
    await this.sparkSession.transport.analyze('unpersist', { relation: this.relation, blocking });
    return this;
  }

  get write(): DataFrameWriter {
    return new DataFrameWriter(this);
  }
}

/** The result of groupBy: call agg (or count) to get a DataFrame. */
export class GroupedData {
  constructor(
    private readonly df: DataFrame,
    private readonly groupingExprs: Column[],
  ) {}

  agg(...exprs: Column[]): DataFrame {
    if (!exprs.length) throw new Error('agg needs at least one aggregate expression');
    return DataFrame.make(this.df.sparkSession, {
      case: 'aggregate',
      value: {
        input: this.df.relation,
        groupType: GroupType.GROUPBY,
        groupingExpressions: this.groupingExprs.map((c) => c.expr),
        aggregateExpressions: exprs.map((c) => c.expr),
      },
    });
  }
  /** Rows per group, in a column named `count`. */
  count(): DataFrame {
    return this.agg(call('count', 1).alias('count'));
  }
}
