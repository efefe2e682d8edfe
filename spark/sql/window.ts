import { toColumn, type ColumnLike, type ExpressionInit, type SortOrderInit } from './column.js';

/** A window: how rows are partitioned and ordered for ranking and windowed aggregates. Immutable. */
export class WindowSpec {
  constructor(
    readonly partitionSpec: ExpressionInit[] = [],
    readonly orderSpec: SortOrderInit[] = [],
  ) {}

  partitionBy(...cols: ColumnLike[]): WindowSpec {
    return new WindowSpec(cols.map((c) => toColumn(c).expr), this.orderSpec);
  }

  orderBy(...cols: ColumnLike[]): WindowSpec {
    return new WindowSpec(this.partitionSpec, cols.map((c) => toColumn(c).toSortOrder()));
  }
}

export const Window = {
  partitionBy: (...cols: ColumnLike[]) => new WindowSpec().partitionBy(...cols),
  orderBy: (...cols: ColumnLike[]) => new WindowSpec().orderBy(...cols),
};
