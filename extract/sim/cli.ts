/**
 * Runs the FR24-compatible server until interrupted:
 *   tsx extract/sim/cli.ts --port 8091 --flights 20000 --latency-ms 100 [--seed 1] [--cap 1500]
 *     [--no-cluster] [--fault rate-limit:0.1] [--fault empty:0.05] ...
 * Point the project at it with FR24_BASE_URL=http://127.0.0.1:8091.
 */
import { parseArgs } from 'node:util';
import { startFr24Sim, type FaultKind, type FaultRule } from './server.js';

const KINDS: FaultKind[] = ['latency', 'rate-limit', 'cloudflare', 'server-error', 'timeout', 'truncated', 'empty', 'malformed', 'degraded'];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8091' },
      host: { type: 'string', default: '127.0.0.1' },
      flights: { type: 'string', default: '20000' },
      'latency-ms': { type: 'string', default: '0' },
      seed: { type: 'string', default: '1' },
      cap: { type: 'string', default: '1500' },
      'no-cluster': { type: 'boolean', default: false },
      fault: { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(`usage: tsx extract/sim/cli.ts [--port 8091] [--flights 20000] [--latency-ms 0] [--seed 1] [--cap 1500] [--no-cluster] [--fault KIND:RATE ...]\nfault kinds: ${KINDS.join(', ')}`);
    return;
  }
  const num = (name: string, text: string) => {
    const n = Number(text);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, got '${text}'`);
    return n;
  };
  const faults: FaultRule[] = (values.fault as string[]).map((spec) => {
    const [kind, rate] = spec.split(':');
    if (!KINDS.includes(kind as FaultKind)) throw new Error(`--fault ${spec}: kind must be one of ${KINDS.join(', ')}`);
    return { kind: kind as FaultKind, rate: rate === undefined ? 1 : num('fault', rate) };
  });
  const sim = await startFr24Sim({
    port: num('port', values.port as string),
    host: values.host as string,
    flights: num('flights', values.flights as string),
    latencyMs: num('latency-ms', values['latency-ms'] as string),
    seed: num('seed', values.seed as string),
    cap: num('cap', values.cap as string),
    cluster: values['no-cluster'] ? false : undefined,
    faults,
  });
  console.log(`FR24-compatible server on ${sim.url} (${sim.world.flights.length} flights, seed ${sim.world.seed}, cap ${sim.cap}); FR24_BASE_URL=${sim.url}`);
  // Closing the server (and its open sockets) is what lets the process end: nothing else keeps it alive.
  // The handlers go after the first signal, so a second Ctrl-C kills a close that hangs.
  const stop = async () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    const c = sim.requestCounts();
    await sim.close();
    console.log(`answered ${sim.requestCount()} requests (feed ${c.feed}, airports ${c.airports}, airlines ${c.airlines}, other ${c.other})`);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

// Nothing is open when main fails (the server is the last thing it starts), so setting the code is enough.
main().catch((error: unknown) => {
  console.error(`fr24 sim: ${(error as Error).message}`);
  process.exitCode = 2;
});
