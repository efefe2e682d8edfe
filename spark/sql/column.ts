import type { MessageInitShape } from '@bufbuild/protobuf';
import {
  Expression_Cast_EvalMode as EvalMode,
  Expression_SortOrder_NullOrdering as NullOrdering,
  Expression_SortOrder_SortDirection as SortDirection,
  type ExpressionSchema,
  type Expression_SortOrderSchema,
} from '../gen/spark/connect/expressions_pb.js';
import type { WindowSpec } from './window.js';

export type ExpressionInit = MessageInitShape<typeof ExpressionSchema>;
export type SortOrderInit = MessageInitShape<typeof Expression_SortOrderSchema>;
/** A JS value usable as a Spark literal. */
export type LiteralValue = string | number | bigint | boolean | Date | null;
/** Where a column is expected, a string names a column; use `lit()` for a string value. */
export type ColumnLike = Column | string;

/** An expression in a plan. Immutable: every method returns a new Column. */
export class Column {
  constructor(readonly expr: ExpressionInit) {}

  alias(...names: string[]): Column {
    return new Column({ exprType: { case: 'alias', value: { expr: this.expr, name: names } } });
  }
  /** Casts to a Spark SQL type by its DDL name (`double`, `timestamp`, `decimal(10,2)`...). */
  cast(type: string): Column {
    return new Column({ exprType: { case: 'cast', value: { expr: this.expr, castToType: { case: 'typeStr', value: type } } } });
  }
  /** Like cast, but a value that does not convert becomes null instead of failing the query. */
  tryCast(type: string): Column {
    return new Column({
      exprType: { case: 'cast', value: { expr: this.expr, castToType: { case: 'typeStr', value: type }, evalMode: EvalMode.TRY } },
    });
  }

  eq(other: unknown): Column { return call('==', this, other); }
  gt(other: unknown): Column { return call('>', this, other); }
  geq(other: unknown): Column { return call('>=', this, other); }
  lt(other: unknown): Column { return call('<', this, other); }
  leq(other: unknown): Column { return call('<=', this, other); }
  and(other: Column): Column { return call('and', this, other); }
  plus(other: unknown): Column { return call('+', this, other); }
  minus(other: unknown): Column { return call('-', this, other); }
  multiply(other: unknown): Column { return call('*', this, other); }
  divide(other: unknown): Column { return call('/', this, other); }
  mod(other: unknown): Column { return call('%', this, other); }
  negate(): Column { return call('negative', this); }

  isNull(): Column { return call('isnull', this); }
  isNotNull(): Column { return call('isnotnull', this); }
  between(lower: unknown, upper: unknown): Column { return this.geq(lower).and(this.leq(upper)); }
  isin(...values: unknown[]): Column {
    return call('in', this, ...(values.length === 1 && Array.isArray(values[0]) ? (values[0] as unknown[]) : values));
  }

  /** An element of an array (0-based, like PySpark's getItem) or the value of a map key. */
  getItem(key: LiteralValue | Column): Column {
    return new Column({ exprType: { case: 'unresolvedExtractValue', value: { child: this.expr, extraction: literal(key) } } });
  }

  asc(): Column { return this.sortOrder(SortDirection.ASCENDING, NullOrdering.SORT_NULLS_FIRST); }
  ascNullsLast(): Column { return this.sortOrder(SortDirection.ASCENDING, NullOrdering.SORT_NULLS_LAST); }
  desc(): Column { return this.sortOrder(SortDirection.DESCENDING, NullOrdering.SORT_NULLS_LAST); }
  descNullsFirst(): Column { return this.sortOrder(SortDirection.DESCENDING, NullOrdering.SORT_NULLS_FIRST); }
  descNullsLast(): Column { return this.sortOrder(SortDirection.DESCENDING, NullOrdering.SORT_NULLS_LAST); }

  private sortOrder(direction: SortDirection, nullOrdering: NullOrdering): Column {
    return new Column({ exprType: { case: 'sortOrder', value: { child: this.expr, direction, nullOrdering } } });
  }

  /** This (ranking or aggregate) function evaluated over a window. */
  over(window: WindowSpec): Column {
    return new Column({
      exprType: {
        case: 'window',
        value: { windowFunction: this.expr, partitionSpec: window.partitionSpec, orderSpec: window.orderSpec },
      },
    });
  }

  /** The sort order this column stands for: itself when built by asc()/desc(), ascending otherwise. */
  toSortOrder(): SortOrderInit {
    const type = this.expr.exprType;
    if (type?.case === 'sortOrder') return type.value as SortOrderInit;
    return { child: this.expr, direction: SortDirection.ASCENDING, nullOrdering: NullOrdering.SORT_NULLS_FIRST };
  }
}

/** A column by name; `table.column` and backquoted names work as in Spark SQL. `*` is every column. */
export function col(name: string): Column {
  if (name === '*') return new Column({ exprType: { case: 'unresolvedStar', value: {} } });
  if (name.endsWith('.*')) return new Column({ exprType: { case: 'unresolvedStar', value: { unparsedTarget: name } } });
  return new Column({ exprType: { case: 'unresolvedAttribute', value: { unparsedIdentifier: name } } });
}

/** An argument of an operator or function: a Column as it is, anything else as a literal. */
export function literal(value: unknown): ExpressionInit {
  if (value instanceof Column) return value.expr;
  if (value === null || value === undefined) {
    return { exprType: { case: 'literal', value: { literalType: { case: 'null', value: { kind: { case: 'null', value: {} } } } } } };
  }
  const lit = (literalType: unknown) => ({ exprType: { case: 'literal', value: { literalType } } }) as ExpressionInit;
  switch (typeof value) {
    case 'boolean':
      return lit({ case: 'boolean', value });
    case 'string':
      return lit({ case: 'string', value });
    case 'bigint':
      return lit({ case: 'long', value });
    case 'number':
      if (Number.isInteger(value)) {
        return Math.abs(value) <= 2 ** 31 - 1 ? lit({ case: 'integer', value }) : lit({ case: 'long', value: BigInt(value) });
      }
      return lit({ case: 'double', value });
    default:
      if (value instanceof Date) return lit({ case: 'timestamp', value: BigInt(value.getTime()) * 1000n });
      throw new TypeError(`cannot make a Spark literal of ${Object.prototype.toString.call(value)}`);
  }
}

/** A call of a Spark built-in function by name; non-Column arguments are literals. */
export function call(name: string, ...args: unknown[]): Column {
  return new Column({ exprType: { case: 'unresolvedFunction', value: { functionName: name, arguments: args.map(literal) } } });
}

/** Arguments that name columns: strings are column names here. */
export const toColumn = (c: ColumnLike): Column => (typeof c === 'string' ? col(c) : c);
