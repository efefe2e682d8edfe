/**
 * How the client fails: Spark's errors as typed errors with error class and SQLSTATE; unreachable or stopped
 * servers within the deadline with the URL in the message; result streams cut midway (by a real TCP proxy
 * between client and server) resumed by reattaching, or failing — never partial rows handed back as complete;
 * sessions released by stop(); queries stopped by interruptAll().
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  F,
  SparkAnalysisError,
  SparkConnectionError,
  SparkError,
  SparkInterruptedError,
  SparkRuntimeError,
  SparkSession,
} from '../../spark/index.js';

const url = process.env.SPARK_CONNECT_URL ?? 'sc://127.0.0.1:15002';
const target = /^sc:\/\/([^:/]+):(\d+)(?:\/(;.*))?$/.exec(url)!;
const [targetHost, targetPort] = [target[1]!, Number(target[2])];
/** The settings' URL parameters (the Connect token among them), carried on every URL this file builds. */
const settingsParams = target[3] ?? '';
const urlOf = (address: string, params = '') => (settingsParams || params ? `${address}/${settingsParams}${params}` : address);
const address = `sc://${targetHost}:${targetPort}`;
let spark: SparkSession;

beforeAll(async () => {
  spark = await SparkSession.builder().remote(url).getOrCreate();
});
afterAll(async () => {
  await spark?.stop();
});

async function caught(work: () => Promise<unknown>): Promise<SparkError> {
  try {
    await work();
  } catch (error) {
    return error as SparkError;
  }
  throw new Error('expected the operation to fail');
}

/** A port nothing listens on (bound, then released). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A TCP proxy in front of the Connect server. `cutAfterBytes`: once that many bytes went from server to client
 * on one connection, every open connection is destroyed (the listener stays, so a reattach can come back).
 */
class Proxy {
  readonly sockets = new Set<net.Socket>();
  connections = 0;
  cuts = 0;
  cutAfterBytes = Infinity;
  private server = net.createServer((client) => this.accept(client));
  port = 0;

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this;
  }
  /** Where the proxy listens, as messages name it (they show no token). */
  get address(): string {
    return `sc://127.0.0.1:${this.port}`;
  }
  get url(): string {
    return urlOf(this.address);
  }
  private accept(client: net.Socket) {
    this.connections++;
    const upstream = net.connect(targetPort, targetHost);
    this.sockets.add(client).add(upstream);
    let down = 0;
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      down += chunk.length;
      if (down > this.cutAfterBytes) {
        this.cutAfterBytes = Infinity;
        this.cuts++;
        this.cutAll();
      }
    });
    upstream.pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  }
  cutAll() {
    for (const s of this.sockets) s.destroy();
  }
  async stop() {
    this.cutAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe('errors from Spark', () => {
  it('an unknown column is a SparkAnalysisError with its error class and SQLSTATE', async () => {
    const df = spark.range(3).select(F.col('no_such_column'));
    for (const action of [() => df.collect(), () => df.schema()]) {
      const error = await caught(action);
      expect(error).toBeInstanceOf(SparkAnalysisError);
      expect(error.errorClass).toBe('UNRESOLVED_COLUMN.WITH_SUGGESTION');
      expect(error.sqlState).toBe('42703');
      expect(error.message).toContain('no_such_column');
      expect(error.message).toContain('UNRESOLVED_COLUMN');
    }
  });

  it('a SQL syntax error is an analysis error (PARSE_SYNTAX_ERROR)', async () => {
    const error = await caught(() => spark.sql('SELEC 1').collect());
    expect(error).toBeInstanceOf(SparkAnalysisError);
    expect(error.errorClass).toBe('PARSE_SYNTAX_ERROR');
    expect(error.sqlState).toBe('42601');
  });

  it('a failure while running is a SparkRuntimeError (ANSI cast of a bad value)', async () => {
    const error = await caught(() => spark.range(5).select(F.lit('abc').cast('int').alias('x')).collect());
    expect(error).toBeInstanceOf(SparkRuntimeError);
    expect(error.errorClass).toBe('CAST_INVALID_INPUT');
    expect(error.sqlState).toBe('22018');
    expect(error.message).toContain("'abc'");
  });
});

describe('unreachable and stopped servers', () => {
  it('an unreachable server fails within the deadline with the URL in the message', async () => {
    const deadUrl = `sc://127.0.0.1:${await freePort()}`;
    const started = Date.now();
    const error = await caught(() => SparkSession.builder().remote(deadUrl).connectTimeoutMs(1500).getOrCreate());
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(SparkConnectionError);
    expect(error.message).toContain(deadUrl);
    expect(elapsed).toBeLessThan(1500 + 1000);
  });

  it('a server that stops under a session gives a clear connection error on the next action', async () => {
    const proxy = await new Proxy().start();
    const session = await SparkSession.connect(proxy.url, { connectTimeoutMs: 5000, unaryRetries: 1 });
    expect(await session.range(3).count()).toBe(3);
    await proxy.stop();
    const started = Date.now();
    const error = await caught(() => session.range(3).collect());
    expect(error).toBeInstanceOf(SparkConnectionError);
    expect(error.message).toContain(proxy.address);
    expect(Date.now() - started).toBeLessThan(15_000);
    await session.stop().catch(() => undefined);
  });
});

describe('a result stream cut midway', () => {
  const n = 1_000_000;
  const plan = (s: SparkSession) => s.range(0, n, 1, 4).select(F.col('id'), F.col('id').multiply(7).alias('x'));

  it('is reattached after the last response received: exactly the rows, none lost or repeated', async () => {
    const proxy = await new Proxy().start();
    const session = await SparkSession.connect(proxy.url, { connectTimeoutMs: 5000 });
    try {
      proxy.cutAfterBytes = 3_000_000;
      let count = 0;
      let sum = 0n;
      let batches = 0;
      for await (const batch of plan(session).toArrowBatches()) {
        batches++;
        count += batch.numRows;
        for (const v of batch.getChild('id')!) sum += BigInt(v as bigint);
      }
      expect(proxy.cuts).toBe(1);
      expect(proxy.connections).toBeGreaterThan(1);
      expect(batches).toBeGreaterThan(1);
      expect(count).toBe(n);
      expect(sum).toBe(BigInt(n) * BigInt(n - 1) / 2n);
    } finally {
      await session.stop().catch(() => undefined);
      await proxy.stop();
    }
  });

  it('fails with a connection error, not partial rows, when it cannot be resumed', async () => {
    const proxy = await new Proxy().start();
    const session = await SparkSession.connect(proxy.url, { connectTimeoutMs: 3000, maxReattaches: 2, unaryRetries: 1 });
    try {
      // Cut once midway, and refuse every connection after that: the reattach cannot reach the server.
      proxy.cutAfterBytes = 3_000_000;
      const seen: number[] = [];
      const error = await caught(async () => {
        for await (const rows of plan(session).stream()) {
          seen.push(rows.length);
          if (proxy.cuts > 0) await proxy.stop().catch(() => undefined);
        }
      });
      expect(error).toBeInstanceOf(SparkConnectionError);
      expect(error.message).toMatch(/broke|unavailable|cannot reach/i);
      expect(seen.reduce((a, b) => a + b, 0)).toBeLessThan(n);
      // collect() of the same plan rejects as a whole: no partial array is ever returned.
      await expect(plan(session).collect()).rejects.toBeInstanceOf(SparkConnectionError);
    } finally {
      await session.stop().catch(() => undefined);
      await proxy.stop().catch(() => undefined);
    }
  });
});

describe('session life cycle', () => {
  it('stop() releases the server-side session: its id cannot be used again', async () => {
    const sessionId = randomUUID();
    const first = await SparkSession.connect(urlOf(address, `;session_id=${sessionId};user_id=it-tests`));
    expect(first.sessionId).toBe(sessionId);
    await first.sql('SELECT 1').collect();
    await first.stop();
    await expect(first.sql('SELECT 1').collect()).rejects.toBeInstanceOf(SparkConnectionError);
    const again = await SparkSession.connect(urlOf(address, `;session_id=${sessionId};user_id=it-tests`));
    const error = await caught(() => again.sql('SELECT 1').collect());
    expect(error.errorClass).toMatch(/^INVALID_HANDLE\.SESSION_CLOSED/);
    await again.stop().catch(() => undefined);
  });

  it('user_id and session_id from the URL identify the server-side session (a token is sent along)', async () => {
    const sessionId = randomUUID();
    const alice = await SparkSession.connect(urlOf(address, `;user_id=alice;session_id=${sessionId}`));
    const aliceAgain = await SparkSession.connect(urlOf(address, `;user_id=alice;session_id=${sessionId}`));
    const bob = await SparkSession.connect(urlOf(address, `;user_id=bob;session_id=${sessionId}`));
    try {
      await alice.range(4).createOrReplaceTempView('alice_view');
      expect(await aliceAgain.sql('SELECT count(*) AS n FROM alice_view').collect()).toEqual([{ n: 4 }]);
      const error = await caught(() => bob.sql('SELECT count(*) AS n FROM alice_view').collect());
      expect(error).toBeInstanceOf(SparkAnalysisError);
      expect(error.errorClass).toBe('TABLE_OR_VIEW_NOT_FOUND');
    } finally {
      await bob.stop().catch(() => undefined);
      await alice.stop().catch(() => undefined);
    }
  });

  it('interruptAll() stops a running query on the server', async () => {
    const session = await SparkSession.connect(url);
    try {
      const running = session.range(0, 50_000_000_000, 1, 4).agg(F.sum(F.sqrt('id')).alias('s')).collect();
      const outcome = running.then(
        () => 'finished',
        (e: unknown) => e,
      );
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const interrupted = await session.interruptAll();
      expect(interrupted.length).toBeGreaterThanOrEqual(1);
      const error = await outcome;
      expect(error).toBeInstanceOf(SparkInterruptedError);
    } finally {
      await session.stop();
    }
  });
});
