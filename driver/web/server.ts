/**
 * `make serve`: the status page and its JSON API (Fastify). Loopback only unless WEB_HOST names another address,
 * and then every request must carry WEB_TOKEN (`Authorization: Bearer …`, or `?token=` for the page itself).
 * The chart library is served from node_modules: the page needs no internet.
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import Fastify, { type FastifyInstance } from 'fastify';
import { PROJECT_ROOT, type Config } from '../config.js';
import { s3Client } from '../../extract/s3.js';
import { UsageError } from '../usage-error.js';
import { answersApi, ApiError, infoApi, runsApi, snapshotsApi, trendsApi } from './api.js';

const ASSETS: Record<string, { file: string; type: string }> = {
  '/': { file: join(PROJECT_ROOT, 'driver/web/page.html'), type: 'text/html; charset=utf-8' },
  '/assets/page.js': { file: join(PROJECT_ROOT, 'driver/web/page.js'), type: 'text/javascript; charset=utf-8' },
  '/assets/uplot.js': { file: join(PROJECT_ROOT, 'node_modules/uplot/dist/uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  '/assets/uplot.css': { file: join(PROJECT_ROOT, 'node_modules/uplot/dist/uPlot.min.css'), type: 'text/css; charset=utf-8' },
};

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));

function tokenMatches(given: string | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function createStatusServer(config: Config, deps: { s3?: S3Client } = {}): FastifyInstance {
  if (!isLoopback(config.web.host) && !config.web.token) {
    throw new UsageError(`WEB_HOST=${config.web.host} is not a loopback address: set WEB_TOKEN (16+ characters) so the page is not open to anyone`);
  }
  const s3 = deps.s3 ?? s3Client(config.minio);
  const { bucket } = config.minio;
  const app = Fastify({ logger: false });

  if (config.web.token) {
    const token = config.web.token;
    // Scripts send the header; a browser opens /?token=… once and then carries an HttpOnly cookie.
    app.addHook('onRequest', async (request, reply) => {
      const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      const query = (request.query as Record<string, string | undefined>).token;
      const cookie = /(?:^|;\s*)flight_radar_token=([^;]+)/.exec(request.headers.cookie ?? '')?.[1];
      if (tokenMatches(bearer, token) || tokenMatches(cookie && decodeURIComponent(cookie), token)) return;
      if (tokenMatches(query, token)) {
        reply.header('set-cookie', `flight_radar_token=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`);
        return;
      }
      await reply.code(401).send({ error: 'a valid token is required (Authorization: Bearer …, or open the page once with ?token=…)' });
    });
  }

  app.setErrorHandler(async (error, _request, reply) => {
    const status = error instanceof ApiError ? error.status : 500;
    await reply.code(status).send({ error: error instanceof Error ? error.message : String(error) });
  });

  for (const [path, asset] of Object.entries(ASSETS)) {
    app.get(path, async (_request, reply) => reply.type(asset.type).header('cache-control', 'no-cache').send(await readFile(asset.file)));
  }
  type Query = Record<string, string | undefined>;
  app.get('/api/info', async () => infoApi(config));
  app.get('/api/runs', async (request) => runsApi(s3, config, (request.query as Query).limit));
  app.get('/api/snapshots', async () => snapshotsApi(s3, bucket));
  app.get('/api/answers', async (request) => answersApi(s3, bucket, (request.query as Query).at || undefined));
  app.get('/api/trends', async (request) => {
    const { question, from, to, last } = request.query as Query;
    return trendsApi(s3, bucket, { question, from: from || undefined, to: to || undefined, last: last || undefined });
  });
  return app;
}

/** The command: serves until SIGINT/SIGTERM; resolves to the exit code. */
export async function serve(config: Config): Promise<number> {
  const app = createStatusServer(config);
  const address = await app.listen({ host: config.web.host, port: config.web.port });
  process.stdout.write(`status page at ${address}/${config.web.token ? ' (token required)' : ''}; Ctrl-C stops it\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await app.close();
  return 0;
}
