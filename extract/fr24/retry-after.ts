/**
 * flightradarapi turns a 429 into a plain Error whose message holds the status only: the Retry-After
 * header is lost. undici (which the library's fetch runs on) publishes every response's headers on the
 * `undici:request:headers` diagnostics channel, a public observability hook, so the header is read there
 * without touching the library. Entries are keyed by the full request URL (each cell's URL is unique
 * and retries of one cell are sequential) and consumed once.
 */
import diagnostics from 'node:diagnostics_channel';

interface HeadersMessage {
  request: { origin?: string | URL; path?: string };
  response: { statusCode: number; headers: Array<Buffer | string> };
}

const pending = new Map<string, number>();
let subscribers = 0;

function onHeaders(message: unknown): void {
  const { request, response } = message as HeadersMessage;
  if (response.statusCode !== 429 && response.statusCode !== 503) return;
  const headers = response.headers;
  for (let i = 0; i + 1 < headers.length; i += 2) {
    if (String(headers[i]).toLowerCase() !== 'retry-after') continue;
    const ms = parseRetryAfter(String(headers[i + 1]));
    if (ms !== undefined) pending.set(`${String(request.origin).replace(/\/+$/, '')}${request.path ?? ''}`, ms);
  }
}

/** Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string, now = Date.now()): number | undefined {
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function watchRetryAfter(): () => void {
  if (subscribers++ === 0) diagnostics.subscribe('undici:request:headers', onHeaders);
  return () => {
    if (--subscribers === 0) {
      diagnostics.unsubscribe('undici:request:headers', onHeaders);
      pending.clear();
    }
  };
}

/** The Retry-After (ms) the last answer to this URL carried, if any; forgets it. */
export function takeRetryAfter(url: string): number | undefined {
  const ms = pending.get(url);
  pending.delete(url);
  return ms;
}
