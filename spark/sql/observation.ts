/**
 * Observation: named aggregates that Spark computes while an action runs (a CollectMetrics node in the plan)
 * and sends with the action's response, so a figure such as the number of rows a write wrote costs no second
 * pass over the data. PySpark's `Observation`: `df.observe(obs, F.count(F.lit(1)).alias('rows'))`, run an
 * action on the result (collect, count, write), then `obs.get()`.
 */
import { randomUUID } from 'node:crypto';
import type { ExecutePlanResponse_ObservedMetrics } from '../gen/spark/connect/base_pb.js';
import type { Expression_Literal } from '../gen/spark/connect/expressions_pb.js';
import type { Row } from './arrow.js';

/** The values of an observation were asked for before an action carrying it completed. */
export class ObservationNotReadyError extends Error {
  override name = 'ObservationNotReadyError';
}

export class Observation {
  private values?: Row;

  /** `name` must be unique within one query; the default is unique. */
  constructor(readonly name: string = `observation_${randomUUID().replaceAll('-', '')}`) {}

  /** The observed values by alias (longs as bigint, as `collect()` gives them). */
  get(): Row {
    if (this.values === undefined) {
      throw new ObservationNotReadyError(`observation '${this.name}' has no values: no completed action computed it`);
    }
    return this.values;
  }

  /** @internal the values the server sent with an action's response. */
  record(metrics: ExecutePlanResponse_ObservedMetrics): void {
    this.values = Object.fromEntries(metrics.values.map((v, i) => [metrics.keys[i] ?? `_${i}`, literalValue(v)]));
  }
}

/** A scalar Spark literal as a JS value; the aggregates an observation holds are scalars. */
function literalValue(literal: Expression_Literal): unknown {
  const { literalType: t } = literal;
  switch (t.case) {
    case 'null':
    case undefined:
      return null;
    case 'boolean':
    case 'byte':
    case 'short':
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
    case 'string':
      return t.value;
    case 'decimal':
      return t.value.value;
    case 'date':
      return new Date(t.value * 86_400_000);
    case 'timestamp':
    case 'timestampNtz':
      return new Date(Number(t.value / 1000n));
    default:
      throw new TypeError(`observation: a ${t.case} value is not supported (observe scalar aggregates)`);
  }
}
