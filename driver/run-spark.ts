/**
 * The Spark Connect session of one run, shared by its Spark stages: opened when a stage first needs it (a run
 * that fails in extract never connects), and closed when the run ends. A stage attempt that fails drops it, so
 * the retry opens a new one: after a Connect server restart the old session is gone on the server, and reusing
 * it would fail every attempt.
 */
import type { Config } from './config.js';
import type { SparkSession } from '../spark/index.js';
import { connectSpark } from './spark-session.js';

export class RunSpark {
  private session?: Promise<SparkSession>;

  constructor(private readonly settings: Config['spark']) {}

  /** The run's session, connecting on first use. */
  get(): Promise<SparkSession> {
    this.session ??= connectSpark(this.settings).catch((error: unknown) => {
      this.session = undefined;
      throw error;
    });
    return this.session;
  }

  /** Releases the session on the server, if one was opened; the next get() opens a new one. Never throws. */
  async close(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    const spark = await session?.catch(() => undefined);
    await spark?.stop().catch(() => undefined);
  }
}
