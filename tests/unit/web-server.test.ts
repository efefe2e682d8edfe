/** The status page's server without a stack: access rules, assets from node_modules, and the run figures. */
import { describe, expect, it } from 'vitest';
import { SettingsSchema, toConfig } from '../../driver/config.js';
import { createStatusServer } from '../../driver/web/server.js';
import { runView } from '../../driver/web/api.js';
import { newManifest } from '../../driver/manifest.js';
import { UsageError } from '../../driver/usage-error.js';

const config = (extra: Record<string, string> = {}) =>
  toConfig(SettingsSchema.parse({ MINIO_ACCESS_KEY: 'test-user', MINIO_SECRET_KEY: 'test-secret', ...extra }));
const TOKEN = 'a-token-of-24-characters';

describe('status page server', () => {
  it('serves the page, its script and the chart library from node_modules on loopback without a token', async () => {
    const app = createStatusServer(config());
    for (const [path, type] of [['/', 'text/html'], ['/assets/page.js', 'text/javascript'], ['/assets/uplot.js', 'text/javascript'], ['/assets/uplot.css', 'text/css']]) {
      const response = await app.inject({ url: path! });
      expect(response.statusCode, path).toBe(200);
      expect(response.headers['content-type']).toContain(type!);
    }
    const info = (await app.inject({ url: '/api/info' })).json();
    expect(info.links).toEqual({ sparkMasterUi: 'http://127.0.0.1:8080/', minioConsole: 'http://127.0.0.1:9001/' });
    expect(info.questions).toHaveLength(7);
    await app.close();
  });

  it('refuses to open beyond loopback without a token, and then asks every request for it', async () => {
    expect(() => createStatusServer(config({ WEB_HOST: '0.0.0.0' }))).toThrow(UsageError);
    const app = createStatusServer(config({ WEB_HOST: '0.0.0.0', WEB_TOKEN: TOKEN }));
    expect((await app.inject({ url: '/api/info' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/info', headers: { authorization: 'Bearer wrong-token-of-24-chars!' } })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/info', headers: { authorization: `Bearer ${TOKEN}` } })).statusCode).toBe(200);
    const opened = await app.inject({ url: `/?token=${TOKEN}` });
    expect(opened.statusCode).toBe(200);
    const cookie = String(opened.headers['set-cookie']).split(';')[0]!;
    expect(String(opened.headers['set-cookie'])).toMatch(/HttpOnly/);
    expect((await app.inject({ url: '/assets/page.js', headers: { cookie } })).statusCode).toBe(200);
    await app.close();
  });

  it('shows a run with its requests against the lower bound (one request per FR24 answer cap)', () => {
    const manifest = newManifest(new Date('2026-03-02T05:00:00Z'), 'sim');
    Object.assign(manifest.stages.extract, { status: 'succeeded', rowsOut: 15_001, requests: 40, durationMs: 12_340, details: { truncatedCells: 2, failedCells: 1, cells: 39 } });
    Object.assign(manifest.stages.silver, { status: 'succeeded', rowsOut: 14_990, quarantinedRows: 11 });
    Object.assign(manifest.stages.gold, { status: 'succeeded', rowsOut: 14_990 });
    const view = runView(manifest, 1500);
    expect(view).toMatchObject({ flights: 14_990, requests: 40, requestsLowerBound: 11, truncatedCells: 2, failedCells: 1, quarantinedRows: 11 });
    expect(view.stageSeconds.extract).toBe(12.3);
  });
});
