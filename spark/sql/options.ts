/** The option()/options() half of spark.read and df.write: Spark takes every data source option as a string. */
export abstract class DataSourceOptions {
  protected readonly opts: Record<string, string> = {};

  option(key: string, value: string | number | boolean): this {
    this.opts[key] = String(value);
    return this;
  }
  options(options: Record<string, string | number | boolean>): this {
    for (const [k, v] of Object.entries(options)) this.option(k, v);
    return this;
  }
}
