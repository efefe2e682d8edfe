/**
 * The second public entry of spark/: the Spark Connect URL parser alone, so configuration can validate the URL
 * at start-up without loading gRPC and the generated protocol code (spark/index.ts loads them; `make env` runs
 * on every make target and must stay fast).
 */
export { ChannelUrlError, parseChannelUrl, type ChannelUrl } from './transport/url.js';
