import type { DataType } from '../gen/spark/connect/types_pb.js';

/** One column of a schema: a Spark SQL type in DDL spelling (`string`, `double`, `timestamp`, `array<int>`...). */
export interface StructField {
  name: string;
  type: string;
  nullable: boolean;
}

/** A DataFrame's schema. `toDDL()` is what Spark Connect takes wherever it accepts a schema. */
export class StructType {
  constructor(readonly fields: StructField[]) {}

  toDDL(): string {
    return this.fields.map((f) => `${quoteIdentifier(f.name)} ${f.type}${f.nullable ? '' : ' NOT NULL'}`).join(', ');
  }

  /** Parses `a STRING, b DOUBLE NOT NULL, c DECIMAL(10,2)`: top-level commas only, so nested types stay whole. */
  static fromDDL(ddl: string): StructType {
    const parts: string[] = [];
    let depth = 0;
    let current = '';
    for (const ch of ddl) {
      if (ch === '<' || ch === '(') depth++;
      if (ch === '>' || ch === ')') depth--;
      if (ch === ',' && depth === 0) {
        parts.push(current);
        current = '';
      } else current += ch;
    }
    if (current.trim()) parts.push(current);
    return new StructType(
      parts.map((part) => {
        const match = /^\s*(`[^`]+`|[^\s:]+)\s*:?\s+(.+?)(\s+NOT\s+NULL)?\s*$/i.exec(part);
        if (!match) throw new Error(`cannot read schema field '${part.trim()}' in '${ddl}'`);
        return { name: match[1]!.replace(/^`|`$/g, ''), type: match[2]!.toLowerCase(), nullable: !match[3] };
      }),
    );
  }
}

const quoteIdentifier = (name: string) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `\`${name.replace(/`/g, '``')}\``);

/** A Spark Connect DataType as its DDL spelling. */
function ddlOf(type: DataType | undefined): string {
  // A DataType always carries its oneof object; only a missing DataType has no kind.
  const kind = type?.kind ?? { case: undefined };
  switch (kind.case) {
    case undefined:
    case 'null':
      return 'void';
    case 'integer':
      return 'int';
    case 'long':
      return 'bigint';
    case 'short':
      return 'smallint';
    case 'byte':
      return 'tinyint';
    case 'timestampNtz':
      return 'timestamp_ntz';
    case 'decimal':
      return `decimal(${kind.value.precision ?? 10},${kind.value.scale ?? 0})`;
    case 'array':
      return `array<${ddlOf(kind.value.elementType)}>`;
    case 'map':
      return `map<${ddlOf(kind.value.keyType)},${ddlOf(kind.value.valueType)}>`;
    case 'struct':
      return `struct<${kind.value.fields.map((f) => `${quoteIdentifier(f.name)}:${ddlOf(f.dataType)}`).join(',')}>`;
    case 'char':
      return `char(${kind.value.length})`;
    case 'varChar':
      return `varchar(${kind.value.length})`;
    default:
      return kind.case.toLowerCase();
  }
}

export function structTypeOf(type: DataType | undefined): StructType {
  if (type?.kind.case !== 'struct') throw new Error(`expected a struct schema, got ${ddlOf(type)}`);
  return new StructType(type.kind.value.fields.map((f) => ({ name: f.name, type: ddlOf(f.dataType), nullable: f.nullable })));
}
