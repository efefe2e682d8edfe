/** The extractor's public API: FR24 live feed -> bronze CSV in MinIO, plus the FR24-compatible server. */
export { extractSnapshot, type ExtractResult } from './extract-snapshot.js';
export { currentReferenceKey } from './reference/reference.js';
export { crawlFeed, namedZoneLeaves, type CrawlStats } from './crawl/crawl.js';
export { bronzeRow } from './bronze/csv.js';
export { writeSyntheticBronze } from './bronze/synthetic.js';
export { useFr24BaseUrl } from './fr24/library.js';
export { startFr24Sim, type Fr24Sim, type FaultRule, type FaultKind } from './sim/server.js';
export { type SimFlight } from './sim/world.js';
export { WHOLE_GLOBE, type Cell } from './geo.js';
export { compareStrategies } from './sim/compare-strategies.js';
