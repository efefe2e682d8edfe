/** The extractor's public API: FR24 live feed -> bronze CSV in MinIO, plus the FR24-compatible server. */
export { extractSnapshot, ExtractResultSchema, ExtractError, type ExtractResult, type ExtractOptions } from './extract-snapshot.js';
export { crawlFeed, namedZoneLeaves, type CrawlOptions, type CrawlStats, type TruncatedCell, type FailedCell } from './crawl/crawl.js';
export { BRONZE_COLUMNS, bronzeRow, csvField, csvLine, isoSeconds } from './bronze/csv.js';
export { writeSyntheticBronze } from './bronze/synthetic.js';
export { AIRPORTS_COLUMNS, AIRLINES_COLUMNS } from './reference/reference.js';
export { bronzeKey, AIRLINES_KEY, AIRPORTS_KEY } from './paths.js';
export { useFr24BaseUrl } from './fr24/library.js';
export { startFr24Sim, FEED_PATH, AIRPORTS_PATH, AIRLINES_PATH, type Fr24Sim, type SimOptions, type FaultRule, type FaultKind } from './sim/server.js';
export { generateWorld, DEFAULT_CLUSTER, type World, type WorldOptions, type SimFlight } from './sim/world.js';
export { WHOLE_GLOBE, type Cell } from './geo.js';
export { compareStrategies, formatRuns, type StrategyRun } from './sim/compare-strategies.js';
