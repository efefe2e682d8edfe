/** FR24_BASE_URL: every flightradarapi URL moves to the one base URL, paths kept, and moves back afterwards. */
import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { crawlFeed, startFr24Sim, useFr24BaseUrl } from '../../extract/index.js';

const require = createRequire(import.meta.url);
const Core = require('flightradarapi/FlightRadarAPI/core.js');

describe('useFr24BaseUrl', () => {
  it('rewrites the origin of every FR24 URL, keeps the paths, and restores them on release', () => {
    const before = { feed: Core.realTimeFlightTrackerDataUrl, airports: Core.airportsJsonUrl, airlines: Core.airlinesDataUrl, flight: Core.flightDataUrl('abc') };
    expect(before.feed).toBe('https://data-cloud.flightradar24.com/zones/fcgi/feed.js');
    const release = useFr24BaseUrl('http://127.0.0.1:8090/');
    expect(Core.realTimeFlightTrackerDataUrl).toBe('http://127.0.0.1:8090/zones/fcgi/feed.js');
    expect(Core.airportsJsonUrl).toBe('http://127.0.0.1:8090/_json/airports.php');
    expect(Core.airlinesDataUrl).toBe('http://127.0.0.1:8090/data/airlines');
    expect(Core.flightDataUrl('abc')).toBe('http://127.0.0.1:8090/clickhandler/?flight=abc');
    const strings = Object.values(Core).filter((v): v is string => typeof v === 'string');
    expect(strings.filter((v) => v.includes('flightradar24.com'))).toEqual([]);
    release();
    expect({ feed: Core.realTimeFlightTrackerDataUrl, airports: Core.airportsJsonUrl, airlines: Core.airlinesDataUrl, flight: Core.flightDataUrl('abc') }).toEqual(before);
  });

  it('refuses an overlapping run that wants another base URL, and a value that is not a URL', () => {
    const release = useFr24BaseUrl('http://127.0.0.1:1');
    try {
      expect(() => useFr24BaseUrl('http://127.0.0.1:2')).toThrow(/already pointed at http:\/\/127.0.0.1:1/);
      expect(() => useFr24BaseUrl(undefined)).toThrow(/cannot overlap/);
      useFr24BaseUrl('http://127.0.0.1:1')(); // the same base URL may be shared
    } finally {
      release();
    }
    expect(() => useFr24BaseUrl('127.0.0.1:8090')).toThrow(/must be an http\(s\) URL/);
  });

  it('an aborted crawl stops early and restores the URLs', async () => {
    const sim = await startFr24Sim({ seed: 4, latencyMs: 20 });
    try {
      const controller = new AbortController();
      const stats = await crawlFeed({
        baseUrl: sim.url, requestCap: 1500, concurrency: 2, requestTimeoutMs: 5000, retries: 2, minCellDeg: 0.25, signal: controller.signal,
        onRecords: () => controller.abort(),
      });
      expect(stats.cells).toBeLessThan(5);
      expect(stats.flights).toBeLessThan(sim.world.flights.length);
      expect(Core.realTimeFlightTrackerDataUrl).toBe('https://data-cloud.flightradar24.com/zones/fcgi/feed.js');
    } finally {
      await sim.close();
    }
  });
});
