/**
 * The Spark Connect session of a process's pipeline runs, shared by their Spark stages and kept from one run to the
 * next: the cluster compiles the code of a plan once per session (the Connect server and each executor keep a
 * session's generated classes apart), so a run on a kept session skips about a second of compiling at 20,000 flights
 * (jobs/README.md). Executors drop a session's classes after 30 idle minutes, so hourly runs keep the server's half.
 *
 * Opened when a stage first needs it (a run that fails in extract never connects). A stage attempt that fails drops
 * it, so the retry opens a new one: after a Connect server restart the old session is gone on the server, and
 * reusing it would fail every attempt. The server also ends a session left idle longer than its timeout, so a kept
 * session is checked with one round trip when a new run first asks for it.
 */
import type { Config } from './config.js';
import type { SparkSession } from '../spark/index.js';
import { connectSpark } from './spark-session.js';

export class PipelineSpark {
  private session?: Promise<SparkSession>;
  private checkKept = false;

  constructor(private readonly settings: Config['spark']) {}

  /** A run starts: the session kept from an earlier run is checked before this run uses it. */
  startRun(): void {
    this.checkKept = this.session !== undefined;
  }

  /** The session, connecting on first use (or when the kept one no longer answers). */
  get(): Promise<SparkSession> {
    if (this.checkKept && this.session) this.session = this.tracked(this.checked(this.session));
    this.checkKept = false;
    return (this.session ??= this.tracked(connectSpark(this.settings)));
  }

  /** Releases the session on the server, if one was opened; the next get() opens a new one. Never throws. */
  async close(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    this.checkKept = false;
    const spark = await session?.catch(() => undefined);
    await spark?.stop().catch(() => undefined);
  }

  /** The kept session if it still answers, else a new one (the old one released quietly). */
  private async checked(kept: Promise<SparkSession>): Promise<SparkSession> {
    const spark = await kept;
    try {
      await spark.version();
      return spark;
    } catch {
      void spark.stop().catch(() => undefined);
      return connectSpark(this.settings);
    }
  }

  /** A session that fails to open is forgotten, so the next get() tries again. */
  private tracked(session: Promise<SparkSession>): Promise<SparkSession> {
    session.catch(() => {
      if (this.session === session) this.session = undefined;
    });
    return session;
  }
}
