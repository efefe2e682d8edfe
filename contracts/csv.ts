/**
 * The CSV dialect of every file the extractor writes and Spark reads (bronze and reference): a header line,
 * RFC 4180 quoting (a field with a comma, quote, CR or LF is enclosed in quotes, its quotes doubled), CRLF line
 * ends, UTF-8.
 */

export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

/** The options that make Spark's CSV reader read this dialect (quoted fields may span lines). */
export const CSV_READ_OPTIONS: Readonly<Record<string, string>> = { header: 'true', multiLine: 'true', quote: '"', escape: '"' };
