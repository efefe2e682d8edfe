/**
 * The Spark Connect client against the real Connect server of the local stack: every DataFrame operation and
 * function the jobs rely on, each checked against values this test computes itself from data it generated.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { F, SparkSession, Window, type DataFrame } from '../../spark/index.js';
import { seededRandom } from '../../extract/sim/random.js';

const url = process.env.SPARK_CONNECT_URL ?? 'sc://127.0.0.1:15002';
let spark: SparkSession;

interface Item {
  id: string;
  grp: string | null;
  n: number;
  x: number;
  word: string;
  ts: Date;
}
const GROUPS = ['alpha', 'beta', 'gamma', 'delta', null];
const rand = seededRandom(42);
const items: Item[] = Array.from({ length: 400 }, (_, i) => ({
  id: `i${String(i).padStart(4, '0')}`,
  grp: GROUPS[Math.floor(rand() * GROUPS.length)]!,
  n: Math.floor(rand() * 100),
  x: Math.round((rand() * 200 - 100) * 1000) / 1000,
  word: ['  Air ', 'sea', ' LAND', 'Space  '][i % 4]!,
  ts: new Date(Date.UTC(2024, 3, 18, 17, 0, 0) + Math.floor(rand() * 86_400) * 1000),
}));
const ITEMS_DDL = 'id STRING, grp STRING, n INT, x DOUBLE, word STRING, ts TIMESTAMP';
let df: DataFrame;

/** Spark's round(x, 1): HALF_UP on the shortest decimal form of the double (as Java's BigDecimal(Double.toString)). */
function roundHalfUp1(x: number): number {
  const [int, frac = ''] = Math.abs(x).toString().split('.');
  const tenths = BigInt(int!) * 10n + BigInt(frac[0] ?? '0') + ((frac[1] ?? '0') >= '5' ? 1n : 0n);
  return (Math.sign(x) || 1) * (Number(tenths) / 10);
}
const byId = (a: { id?: unknown }, b: { id?: unknown }) => String(a.id).localeCompare(String(b.id));
const groupsOf = <T>(rows: T[], key: (r: T) => string) => {
  const m = new Map<string, T[]>();
  for (const r of rows) m.set(key(r), [...(m.get(key(r)) ?? []), r]);
  return m;
};

beforeAll(async () => {
  spark = await SparkSession.builder().remote(url).connectTimeoutMs(30_000).getOrCreate();
  await spark.conf.set('spark.sql.session.timeZone', 'UTC');
  df = spark.createDataFrame(items, ITEMS_DDL);
});
afterAll(async () => {
  await spark?.stop();
});

describe('session', () => {
  it('has a session id and reads back runtime config it set', async () => {
    expect(spark.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    await spark.conf.set('spark.sql.shuffle.partitions', '7');
    expect(await spark.conf.get('spark.sql.shuffle.partitions')).toBe('7');
    expect(await spark.conf.get('spark.flight-radar.unset-key', 'fallback')).toBe('fallback');
    expect(await spark.conf.get('spark.sql.session.timeZone')).toBe('UTC');
    expect(await spark.version()).toMatch(/^4\.3\./);
  });

  it('applies builder settings at connect time, per session', async () => {
    const other = await SparkSession.builder().remote(url).config('spark.sql.shuffle.partitions', 3).getOrCreate();
    try {
      expect(other.sessionId).not.toBe(spark.sessionId);
      expect(await other.conf.get('spark.sql.shuffle.partitions')).toBe('3');
      await spark.conf.set('spark.sql.shuffle.partitions', '5');
      expect(await other.conf.get('spark.sql.shuffle.partitions')).toBe('3');
    } finally {
      await other.stop();
    }
  });

  it('sql and range return computed values', async () => {
    const [row] = await spark.sql('SELECT 6 * 7 AS answer, upper(:who) AS who', { who: 'spark' }).collect();
    expect(row).toEqual({ answer: 42, who: 'SPARK' });
    const n = 1234;
    const [sum] = await spark.range(n).agg(F.sum('id').alias('s'), F.count('*').alias('c')).collect();
    expect(sum).toEqual({ s: (n * (n - 1)) / 2, c: n });
    expect(await spark.range(10, 20, 3).collect()).toEqual([10, 13, 16, 19].map((id) => ({ id })));
  });
});

describe('createDataFrame and collect', () => {
  it('round-trips every row and type of local data', async () => {
    const rows = (await df.collect()).sort(byId);
    expect(rows).toEqual(items.map((i) => ({ ...i })));
  });

  it('keeps longs beyond 2^53 exact (as bigint), decimals exact, dates and nulls', async () => {
    const big = 2n ** 60n + 7n;
    const local = spark.createDataFrame(
      [
        { l: big, d: '12345678901234567.891', small: '3.25', day: new Date('2024-04-18T00:00:00Z'), b: true },
        { l: 5, d: null, small: null, day: null, b: null },
      ],
      'l BIGINT, d DECIMAL(20,3), small DECIMAL(5,2), day DATE, b BOOLEAN',
    );
    const rows = await local.orderBy(F.col('l').desc()).collect();
    expect(rows[0]).toEqual({ l: big, d: '12345678901234567.891', small: 3.25, day: new Date('2024-04-18T00:00:00Z'), b: true });
    expect(rows[1]).toEqual({ l: 5, d: null, small: null, day: null, b: null });
    expect(await local.dtypes()).toEqual([
      ['l', 'bigint'],
      ['d', 'decimal(20,3)'],
      ['small', 'decimal(5,2)'],
      ['day', 'date'],
      ['b', 'boolean'],
    ]);
  });
});

describe('transformations', () => {
  it('select, selectExpr, withColumn, withColumns, withColumnRenamed, drop', async () => {
    const rows = await df
      .select('id', 'n', F.col('x').multiply(2).alias('x2'))
      .selectExpr('id', 'n + 1 AS n1', 'x2')
      .withColumn('n1sq', F.col('n1').multiply(F.col('n1')))
      .withColumns({ half: F.col('n1').divide(2), neg: F.col('x2').negate() })
      .withColumnRenamed('x2', 'double_x')
      .drop('neg')
      .collect();
    expect(rows.sort(byId)).toEqual(
      items.map((i) => ({ id: i.id, n1: i.n + 1, double_x: i.x * 2, n1sq: (i.n + 1) ** 2, half: (i.n + 1) / 2 })),
    );
  });

  it('filter and where, with columns and SQL strings', async () => {
    expect(await df.filter(F.col('n').gt(50).and(F.col('grp').isNotNull())).count()).toBe(items.filter((i) => i.n > 50 && i.grp !== null).length);
    expect(await df.where('n <= 10 OR grp IS NULL').count()).toBe(items.filter((i) => i.n <= 10 || i.grp === null).length);
    expect(await df.filter(F.col('n').between(20, 30)).count()).toBe(items.filter((i) => i.n >= 20 && i.n <= 30).length);
    expect(await df.filter(F.col('grp').isin('alpha', 'gamma')).count()).toBe(
      items.filter((i) => i.grp === 'alpha' || i.grp === 'gamma').length,
    );
    expect(await df.filter(F.col('grp').isNull()).count()).toBe(items.filter((i) => i.grp === null).length);
  });

  it('groupBy().agg with count, countDistinct, sum, avg, min, max, first, max_by', async () => {
    const rows = await df
      .groupBy('grp')
      .agg(
        F.count('*').alias('c'),
        F.countDistinct('n').alias('dn'),
        F.sum('n').alias('s'),
        F.avg('x').alias('ax'),
        F.min('n').alias('mn'),
        F.max('x').alias('mx'),
        F.first('grp').alias('g1'),
        F.max_by('id', 'x').alias('argmax'),
      )
      .collect();
    const expected = [...groupsOf(items, (i) => String(i.grp)).values()].map((g) => ({
      grp: g[0]!.grp,
      c: g.length,
      dn: new Set(g.map((i) => i.n)).size,
      s: g.reduce((a, i) => a + i.n, 0),
      ax: g.reduce((a, i) => a + i.x, 0) / g.length,
      mn: Math.min(...g.map((i) => i.n)),
      mx: Math.max(...g.map((i) => i.x)),
      g1: g[0]!.grp,
      argmax: g.reduce((best, i) => (i.x > best.x ? i : best)).id,
    }));
    const key = (r: { grp?: unknown }) => String(r.grp);
    expect(rows.length).toBe(expected.length);
    for (const e of expected) {
      const r = rows.find((row) => key(row) === key(e))!;
      expect({ ...r, ax: undefined }).toEqual({ ...e, ax: undefined });
      expect(r.ax as number).toBeCloseTo(e.ax, 9);
    }
    expect(await df.groupBy('grp').count().count()).toBe(expected.length);
  });

  it('orderBy/sort with directions and null placement, and limit', async () => {
    const cmpNullsFirst = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1);
    const asc = (await df.orderBy(F.col('grp').asc(), 'id').select('id').collect()).map((r) => r.id);
    expect(asc).toEqual([...items].sort((a, b) => cmpNullsFirst(a.grp, b.grp) || a.id.localeCompare(b.id)).map((i) => i.id));
    const descNullsFirst = (await df.sort(F.col('grp').descNullsFirst(), F.col('id').desc()).select('id').collect()).map((r) => r.id);
    const nullsFirstDesc = (a: string | null, b: string | null) =>
      a === null || b === null ? cmpNullsFirst(a, b) : -cmpNullsFirst(a, b);
    expect(descNullsFirst).toEqual([...items].sort((a, b) => nullsFirstDesc(a.grp, b.grp) || b.id.localeCompare(a.id)).map((i) => i.id));
    // desc(): nulls last (Spark's default for descending)
    const descRows = await df.orderBy(F.desc('grp'), F.asc('id')).collect();
    expect(descRows.at(-1)!.grp).toBeNull();
    expect(descRows[0]!.grp).toBe('gamma');
    const top = await df.orderBy(F.col('x').desc()).limit(5).collect();
    expect(top.map((r) => r.x)).toEqual([...items].map((i) => i.x).sort((a, b) => b - a).slice(0, 5));
  });

  it('dropDuplicates, distinct, union, unionByName', async () => {
    expect(await df.dropDuplicates(['grp']).count()).toBe(new Set(items.map((i) => i.grp)).size);
    expect(await df.select('grp', 'word').distinct().count()).toBe(new Set(items.map((i) => `${i.grp}|${i.word}`)).size);
    expect(await df.union(df).count()).toBe(items.length * 2);
    expect(await df.union(df).dropDuplicates().count()).toBe(items.length);
    const swapped = df.select('n', 'id');
    const byName = await df.select('id', 'n').unionByName(swapped).filter(F.col('id').eq('i0001')).collect();
    expect(byName).toEqual([
      { id: 'i0001', n: items[1]!.n },
      { id: 'i0001', n: items[1]!.n },
    ]);
  });

  it('window functions: row_number, rank, dense_rank over partitionBy/orderBy', async () => {
    const w = Window.partitionBy('grp').orderBy(F.col('n').desc());
    const rows = await df
      .select(
        'id',
        F.row_number().over(Window.partitionBy('grp').orderBy(F.col('n').desc(), F.col('id').asc())).alias('rn'),
        F.rank().over(w).alias('rk'),
        F.dense_rank().over(w).alias('drk'),
      )
      .collect();
    const expected = new Map<string, { rn: number; rk: number; drk: number }>();
    for (const group of groupsOf(items, (i) => String(i.grp)).values()) {
      const sorted = [...group].sort((a, b) => b.n - a.n || a.id.localeCompare(b.id));
      sorted.forEach((i, idx) => {
        expected.set(i.id, {
          rn: idx + 1,
          rk: sorted.findIndex((j) => j.n === i.n) + 1,
          drk: new Set(sorted.filter((j) => j.n > i.n).map((j) => j.n)).size + 1,
        });
      });
    }
    expect(rows.length).toBe(items.length);
    for (const r of rows) expect({ rn: r.rn, rk: r.rk, drk: r.drk }).toEqual(expected.get(String(r.id)));
  });

  it('alias for qualified columns in self-joins', async () => {
    const a = df.alias('a');
    const b = df.alias('b');
    const rows = await a
      .join(b, F.col('a.n').eq(F.col('b.n')).and(F.col('a.id').lt(F.col('b.id'))))
      .select(F.col('a.id').alias('left_id'), F.col('b.id').alias('right_id'))
      .collect();
    let pairs = 0;
    for (const i of items) for (const j of items) if (i.n === j.n && i.id < j.id) pairs++;
    expect(rows.length).toBe(pairs);
  });
});

describe('joins', () => {
  const people = [
    { pid: 1, name: 'ana' },
    { pid: 2, name: 'bo' },
    { pid: 3, name: 'cy' },
    { pid: 4, name: 'di' },
  ];
  const orders = [
    { pid: 1, amount: 10 },
    { pid: 1, amount: 5 },
    { pid: 3, amount: 7 },
    { pid: 9, amount: 1 },
  ];
  const cases: [string, number][] = [
    ['inner', orders.filter((o) => people.some((p) => p.pid === o.pid)).length],
    ['left', people.reduce((n, p) => n + Math.max(1, orders.filter((o) => o.pid === p.pid).length), 0)],
    ['right', orders.length],
    ['full', people.reduce((n, p) => n + Math.max(1, orders.filter((o) => o.pid === p.pid).length), 0) + orders.filter((o) => !people.some((p) => p.pid === o.pid)).length],
    ['semi', people.filter((p) => orders.some((o) => o.pid === p.pid)).length],
    ['anti', people.filter((p) => !orders.some((o) => o.pid === p.pid)).length],
  ];
  let P: DataFrame;
  let O: DataFrame;
  beforeAll(() => {
    P = spark.createDataFrame(people, 'pid INT, name STRING');
    O = spark.createDataFrame(orders, 'pid INT, amount INT');
  });

  it.each(cases)('%s join on a column name and on an expression', async (how, expected) => {
    expect(await P.join(O, 'pid', how as never).count()).toBe(expected);
    const ren = O.withColumnRenamed('pid', 'opid');
    expect(await P.join(ren, F.col('pid').eq(F.col('opid')), how as never).count()).toBe(expected);
  });

  it('cross join pairs every row, and a using-join keeps the key once', async () => {
    expect(await P.crossJoin(O).count()).toBe(people.length * orders.length);
    expect(await P.join(O, ['pid'], 'inner').columns()).toEqual(['pid', 'name', 'amount']);
    const totals = await P.join(O, 'pid', 'left')
      .groupBy('name')
      .agg(F.coalesce(F.sum('amount'), F.lit(0)).alias('total'))
      .orderBy('name')
      .collect();
    expect(totals).toEqual(
      people.map((p) => ({ name: p.name, total: orders.filter((o) => o.pid === p.pid).reduce((s, o) => s + o.amount, 0) })),
    );
  });
});

describe('functions', () => {
  const sample = items.slice(0, 60);
  let rows: Record<string, unknown>[];
  beforeAll(async () => {
    rows = (
      await df
        .filter(F.col('id').isin(sample.map((i) => i.id)))
        .select(
          'id',
          F.when(F.col('n').lt(33), 'low').when(F.col('n').lt(66), 'mid').otherwise('high').alias('band'),
          F.coalesce(F.col('grp'), F.lit('none')).alias('grp_or_none'),
          F.col('n').cast('string').alias('n_str'),
          F.col('x').cast('int').alias('x_int'),
          F.round(F.col('x'), 1).alias('x_r1'),
          F.abs('x').alias('x_abs'),
          F.radians('x').alias('rad'),
          F.sin(F.radians('x')).alias('sin'),
          F.cos(F.radians('x')).alias('cos'),
          F.asin(F.col('x').divide(100)).alias('asin'),
          F.sqrt(F.abs('x')).alias('sqrt'),
          F.pow(F.col('n'), 2).alias('pow'),
          F.concat_ws('-', F.col('id'), F.col('grp')).alias('cws'),
          F.concat(F.col('id'), F.lit(':'), F.col('n').cast('string')).alias('cat'),
          F.upper('word').alias('up'),
          F.lower('word').alias('low'),
          F.trim('word').alias('trimmed'),
          F.length('word').alias('len'),
          F.substring('id', 2, 3).alias('sub'),
          F.regexp_replace('id', '^i0*', '#').alias('re'),
          F.greatest(F.col('n'), F.lit(50)).alias('gt50'),
          F.least(F.col('n'), F.lit(50)).alias('lt50'),
          F.from_unixtime(F.unix_timestamp('ts')).alias('fu'),
          F.to_timestamp(F.date_format('ts', 'yyyy-MM-dd HH:mm:ss'), 'yyyy-MM-dd HH:mm:ss').alias('ts2'),
          F.date_format('ts', 'yyyyMMddHH').alias('hourkey'),
          F.to_date(F.col('ts')).alias('day'),
          F.element_at(F.array(F.col('id'), F.col('word')), 2).alias('el'),
          F.create_map(F.lit('alpha'), F.lit(1), F.lit('beta'), F.lit(2)).getItem('beta').alias('mapped'),
          F.element_at(F.create_map(F.lit('alpha'), F.lit(1), F.lit('beta'), F.lit(2)), F.col('grp')).alias('mapped2'),
          F.expr('try_cast(word AS double)').alias('tc'),
          F.col('grp').isNull().alias('gnull'),
          F.create_map(F.lit('n'), F.col('n'), F.lit('twice'), F.col('n').multiply(2)).alias('m'),
          F.array(F.col('n'), F.col('n').plus(1)).alias('arr'),
        )
        .collect()
    ).sort(byId);
  });

  it('compute what TypeScript computes for the same rows', () => {
    const iso = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');
    const expected = sample.map((i) => ({
      id: i.id,
      band: i.n < 33 ? 'low' : i.n < 66 ? 'mid' : 'high',
      grp_or_none: i.grp ?? 'none',
      n_str: String(i.n),
      x_int: Math.trunc(i.x),
      pow: i.n ** 2,
      cws: i.grp === null ? i.id : `${i.id}-${i.grp}`,
      cat: `${i.id}:${i.n}`,
      up: i.word.toUpperCase(),
      low: i.word.toLowerCase(),
      trimmed: i.word.trim(),
      len: i.word.length,
      sub: i.id.slice(1, 4),
      re: i.id.replace(/^i0*/, '#'),
      gt50: Math.max(i.n, 50),
      lt50: Math.min(i.n, 50),
      fu: iso(i.ts),
      ts2: i.ts,
      hourkey: iso(i.ts).replace(/[- :]/g, '').slice(0, 10),
      day: new Date(`${i.ts.toISOString().slice(0, 10)}T00:00:00Z`),
      el: i.word,
      mapped: 2,
      mapped2: i.grp === 'alpha' ? 1 : i.grp === 'beta' ? 2 : null,
      tc: null,
      gnull: i.grp === null,
      m: { n: i.n, twice: i.n * 2 },
      arr: [i.n, i.n + 1],
    }));
    for (const [k, e] of expected.entries()) {
      const r = rows[k]!;
      expect(r).toMatchObject(e);
      const i = sample[k]!;
      expect(r.x_r1).toBe(roundHalfUp1(i.x));
      expect(r.x_abs).toBe(Math.abs(i.x));
      expect(r.rad as number).toBeCloseTo((i.x * Math.PI) / 180, 12);
      expect(r.sin as number).toBeCloseTo(Math.sin((i.x * Math.PI) / 180), 12);
      expect(r.cos as number).toBeCloseTo(Math.cos((i.x * Math.PI) / 180), 12);
      expect(r.asin as number).toBeCloseTo(Math.asin(i.x / 100), 12);
      expect(r.sqrt as number).toBeCloseTo(Math.sqrt(Math.abs(i.x)), 12);
    }
  });

  it('collect_list, count_if, current_timestamp', async () => {
    const [r] = await df
      .agg(
        F.size(F.collect_list('id')).alias('ids'),
        F.count_if(F.col('n').gt(90)).alias('over90'),
        F.sum(F.when(F.col('n').gt(90), 1).otherwise(0)).alias('over90b'),
        F.current_timestamp().alias('now'),
      )
      .collect();
    expect(r!.ids).toBe(items.length);
    expect(r!.over90).toBe(items.filter((i) => i.n > 90).length);
    expect(r!.over90b).toBe(r!.over90);
    expect(Math.abs((r!.now as Date).getTime() - Date.now())).toBeLessThan(120_000);
  });
});

describe('actions', () => {
  it('count, show, schema, explain', async () => {
    expect(await df.count()).toBe(items.length);
    const text = await df.orderBy('id').select('id', 'n').show(3, true, { print: false });
    expect(text).toContain('|   id|  n|');
    expect(text).toContain(`|${items[0]!.id}|${String(items[0]!.n).padStart(3)}|`);
    expect(text).toContain('only showing top 3 rows');
    const schema = await df.schema();
    expect(schema.fields.map((f) => [f.name, f.type])).toEqual([
      ['id', 'string'],
      ['grp', 'string'],
      ['n', 'int'],
      ['x', 'double'],
      ['word', 'string'],
      ['ts', 'timestamp'],
    ]);
    // (a filter over local data is folded into the scan; over a range it stays a Filter)
    const plan = await spark.range(100).filter(F.col('id').gt(3)).explain();
    expect(plan).toContain('== Physical Plan ==');
    expect(plan).toMatch(/Filter/);
    expect(await df.filter(F.col('n').gt(3)).explain('extended')).toContain('== Analyzed Logical Plan ==');
  });

  it('cache() keeps a result on the executors until unpersist()', async () => {
    const heavy = spark.range(0, 20_000, 1, 4).withColumn('sq', F.col('id').multiply(F.col('id')));
    await heavy.cache();
    const [row] = await heavy.agg(F.sum('sq').alias('s')).collect();
    expect(row!.s).toBe(Array.from({ length: 20_000 }, (_, i) => i * i).reduce((a, b) => a + b, 0));
    expect(await heavy.explain()).toContain('InMemoryTableScan');
    await heavy.unpersist(true);
    expect(await heavy.explain()).not.toContain('InMemoryTableScan');
  });

  it('temp views are visible to spark.sql', async () => {
    await df.createOrReplaceTempView('client_items');
    const [row] = await spark.sql('SELECT count(*) AS c, sum(n) AS s FROM client_items').collect();
    expect(row).toEqual({ c: items.length, s: items.reduce((a, i) => a + i.n, 0) });
  });

  it('streams batches as they arrive', async () => {
    let rowsSeen = 0;
    let batches = 0;
    for await (const batch of spark.range(0, 30_000, 1, 6).toArrowBatches()) {
      batches++;
      rowsSeen += batch.numRows;
    }
    expect(rowsSeen).toBe(30_000);
    expect(batches).toBeGreaterThanOrEqual(6);
  });
});
