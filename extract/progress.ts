/** A one-line progress display for a terminal (cells done, requests, flights), redrawn at most 5 times a second. */
import type { CrawlStats } from './crawl/crawl.js';

export class ProgressLine {
  private last = 0;
  private shown = false;
  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {}

  update(s: CrawlStats & { pending: number }, force = false): void {
    const now = Date.now();
    if (!force && now - this.last < 200) return;
    this.last = now;
    this.shown = true;
    const line = `extract: cells ${s.cells} done, ${s.pending} pending | requests ${s.requests} (retries ${s.retries}) | flights ${s.flights.toLocaleString('en-US')}` +
      (s.truncatedCells.length ? ` | truncated ${s.truncatedCells.length}` : '') + (s.failedCells.length ? ` | failed ${s.failedCells.length}` : '');
    this.out.write(`\r\x1b[2K${line}`);
  }

  end(): void {
    if (this.shown) this.out.write('\n');
  }
}
