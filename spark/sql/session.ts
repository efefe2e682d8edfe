/**
 * SparkSession: one Spark Connect session on a server (`sc://host:port/;user_id=..;token=..`). Entry point for
 * reading data, SQL, local data and runtime configuration. `stop()` releases the server-side session.
 */
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { PlanSchema } from '../gen/spark/connect/base_pb.js';
import { CommandSchema } from '../gen/spark/connect/commands_pb.js';
import { ConnectTransport, type TransportOptions } from '../transport/client.js';
import { parseChannelUrl } from '../transport/url.js';
import { col, literal } from './column.js';
import { DataFrame } from './dataframe.js';
import { DataFrameReader } from './reader.js';
import { rowsToArrowIpc } from './arrow.js';
import { StructType } from './types.js';
import type { Observation } from './observation.js';
import type { ExecutePlanResponse } from '../gen/spark/connect/base_pb.js';

export interface SessionOptions {
  /** How long connecting may take before failing with a message that names the URL (default 30 s). */
  connectTimeoutMs?: number;
  /**
   * How many times in a row a broken result stream is reattached, with no response in between, before the
   * action fails (default 3). The server's own periodic ends of a long result stream do not count.
   */
  maxReattaches?: number;
  /** Retries of a unary call that found the server unavailable (default 3, with backoff). */
  unaryRetries?: number;
  /** How long one unary call (analysis, config, interrupt, release) may wait for its answer (default 120 s). */
  callTimeoutMs?: number;
  /** Spark SQL settings applied right after connecting (spark.conf.set). */
  config?: Record<string, string>;
}

const DEFAULTS: TransportOptions = { connectTimeoutMs: 30_000, maxReattaches: 3, unaryRetries: 3, callTimeoutMs: 120_000 };

export class SparkSessionBuilder {
  private url = 'sc://localhost:15002';
  private readonly options: SessionOptions = {};
  private readonly settings: Record<string, string> = {};

  remote(url: string): this {
    this.url = url;
    return this;
  }
  connectTimeoutMs(ms: number): this {
    this.options.connectTimeoutMs = ms;
    return this;
  }
  callTimeoutMs(ms: number): this {
    this.options.callTimeoutMs = ms;
    return this;
  }
  maxReattaches(n: number): this {
    this.options.maxReattaches = n;
    return this;
  }
  config(key: string, value: string | number | boolean): this {
    this.settings[key] = String(value);
    return this;
  }
  /** Connects (a new session each call; there is no process-wide default session). */
  getOrCreate(): Promise<SparkSession> {
    return SparkSession.connect(this.url, { ...this.options, config: { ...this.settings } });
  }
}

/** spark.conf: the session's runtime SQL configuration. */
export class RuntimeConfig {
  constructor(private readonly session: SparkSession) {}

  async set(key: string, value: string | number | boolean): Promise<void> {
    await this.session.transport.config({ operation: { opType: { case: 'set', value: { pairs: [{ key, value: String(value) }] } } } });
  }
  /** The value of `key`; `defaultValue` (if given) when unset; an error for an unknown key without default. */
  async get(key: string, defaultValue?: string): Promise<string | undefined> {
    const opType: MessageInitShape<typeof import('../gen/spark/connect/base_pb.js').ConfigRequest_OperationSchema>['opType'] =
      defaultValue === undefined
        ? { case: 'get', value: { keys: [key] } }
        : { case: 'getWithDefault', value: { pairs: [{ key, value: defaultValue }] } };
    const response = await this.session.transport.config({ operation: { opType } });
    return response.pairs[0]?.value;
  }
}

export class SparkSession {
  private planIds = 0;
  private readonly tags = new Set<string>();
  /**
   * The observations of this session's plans, by name, to hand them the values an action's response carries. Held
   * weakly: a session may outlive many runs, and an observation nobody holds any more can receive nothing.
   */
  private readonly observations = new Map<string, WeakRef<Observation>>();
  private readonly forgetObservation = new FinalizationRegistry<string>((name) => {
    if (this.observations.get(name)?.deref() === undefined) this.observations.delete(name);
  });
  readonly conf = new RuntimeConfig(this);

  private constructor(
    /** @internal */
    readonly transport: ConnectTransport,
  ) {}

  static builder(): SparkSessionBuilder {
    return new SparkSessionBuilder();
  }

  /**
   * Connects to a Spark Connect server. Fails within `connectTimeoutMs` with a SparkConnectionError that names
   * the URL when the server cannot be reached.
   */
  static async connect(url: string, options: SessionOptions = {}): Promise<SparkSession> {
    const transport = new ConnectTransport(parseChannelUrl(url), {
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
      maxReattaches: options.maxReattaches ?? DEFAULTS.maxReattaches,
      unaryRetries: options.unaryRetries ?? DEFAULTS.unaryRetries,
      callTimeoutMs: options.callTimeoutMs ?? DEFAULTS.callTimeoutMs,
    });
    try {
      await transport.connect();
    } catch (error) {
      // Nothing reached the server, so there is no server-side session to release.
      await transport.close({ release: false }).catch(() => undefined);
      throw error;
    }
    const session = new SparkSession(transport);
    try {
      for (const [k, v] of Object.entries(options.config ?? {})) await session.conf.set(k, v);
    } catch (error) {
      // The first request created the server-side session: release it rather than leave it until it times out.
      // The setting's error is the one to report; a failed release adds nothing the caller can act on.
      await transport.close().catch(() => undefined);
      throw error;
    }
    return session;
  }

  /** The session id sent with every request (a UUID unless the URL gave one). */
  get sessionId(): string {
    return this.transport.sessionId;
  }
  /** The URL this session talks to (any token masked). */
  get url(): string {
    return this.transport.url.display;
  }

  /** @internal */
  nextPlanId(): bigint {
    return BigInt(this.planIds++);
  }

  /**
   * Tags every later execution of this session (PySpark's `spark.addTag`): the server adds them to the Spark
   * jobs it runs (the driver UI's Connect tab lists them per execution; its REST API as `jobTags`).
   */
  addTag(tag: string): void {
    if (tag === '' || tag.includes(',')) throw new Error(`a Spark Connect tag is a non-empty string without ',', got '${tag}'`);
    this.tags.add(tag);
  }
  removeTag(tag: string): void {
    this.tags.delete(tag);
  }
  getTags(): string[] {
    return [...this.tags];
  }
  clearTags(): void {
    this.tags.clear();
  }

  /** @internal called by DataFrame.observe. */
  registerObservation(observation: Observation): void {
    const known = this.observations.get(observation.name)?.deref();
    if (known === observation) return;
    if (known) throw new Error(`observe: another observation is already named '${observation.name}'`);
    this.observations.set(observation.name, new WeakRef(observation));
    this.forgetObservation.register(observation, observation.name);
  }

  /** @internal every ExecutePlan response passes here: observed metrics come with the action's last responses. */
  receive(response: ExecutePlanResponse): ExecutePlanResponse {
    for (const metrics of response.observedMetrics) this.observations.get(metrics.name)?.deref()?.record(metrics);
    return response;
  }

  get read(): DataFrameReader {
    return new DataFrameReader(this);
  }

  /** A DataFrame over a SQL query; `args` binds named parameters (`:name`) to values or columns. */
  sql(query: string, args?: Record<string, unknown>): DataFrame {
    const namedArguments = Object.fromEntries(Object.entries(args ?? {}).map(([k, v]) => [k, literal(v)]));
    return DataFrame.make(this, { case: 'sql', value: { query, namedArguments } });
  }

  /** Integers from `start` (inclusive) to `end` (exclusive) in a column `id` (bigint); range(n) = 0..n-1. */
  range(start: number | bigint, end?: number | bigint, step: number | bigint = 1, numPartitions?: number): DataFrame {
    const [from, to] = end === undefined ? [0n, BigInt(start)] : [BigInt(start), BigInt(end)];
    return DataFrame.make(this, { case: 'range', value: { start: from, end: to, step: BigInt(step), numPartitions } });
  }

  table(name: string): DataFrame {
    return this.read.table(name);
  }

  /**
   * A DataFrame over local rows (objects keyed by field name, or arrays in field order), sent inside the plan
   * as Arrow IPC (a LocalRelation). For small reference tables: the rows travel with every query that uses them.
   */
  createDataFrame(rows: readonly (object | readonly unknown[])[], schema: string | StructType): DataFrame {
    const struct = typeof schema === 'string' ? StructType.fromDDL(schema) : schema;
    const { ipc, wireSchema, castBack } = rowsToArrowIpc(rows, struct);
    const local = DataFrame.make(this, { case: 'localRelation', value: { data: ipc, schema: wireSchema.toDDL() } });
    if (!castBack) return local;
    // Some types travel as exact strings (decimals); cast them on Spark to the declared type.
    return local.select(...struct.fields.map((f) => (castBack.has(f.name) ? col(f.name).cast(f.type).alias(f.name) : col(f.name))));
  }

  /** @internal runs a command (write, view) to completion. */
  async runCommand(command: MessageInitShape<typeof CommandSchema>['commandType']): Promise<void> {
    const plan = create(PlanSchema, { opType: { case: 'command', value: create(CommandSchema, { commandType: command }) } });
    for await (const response of this.transport.execute(plan, this.getTags())) {
      this.receive(response); // otherwise drained: the command is done at ResultComplete
    }
  }

  /** The Spark version of the server. */
  async version(): Promise<string> {
    return (await this.transport.analyze('sparkVersion', {})).version;
  }

  /** Interrupts every query of this session running on the server; returns the ids of the operations stopped. */
  interruptAll(): Promise<string[]> {
    return this.transport.interruptAll();
  }

  /** Releases the server-side session (its temp views, cached plans and running queries) and closes the channel. */
  async stop(): Promise<void> {
    await this.transport.close();
  }
}
