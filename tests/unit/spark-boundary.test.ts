/**
 * The client's boundary: wire code (gRPC, protobuf, Arrow, generated protocol) lives in spark/ alone, and the
 * rest of the product reaches Spark only through spark/index.ts (and spark/connect-url.ts, the URL parser alone).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

function sourcesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules' || name.startsWith('.')) continue;
    if (statSync(path).isDirectory()) out.push(...sourcesUnder(path));
    else if (/\.(ts|mts|js|mjs)$/.test(name)) out.push(path);
  }
  return out;
}

const importsOf = (file: string) =>
  [...readFileSync(file, 'utf8').matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (m) => m[1] ?? m[2]!,
  );

describe('spark/ boundary', () => {
  const outside = ['driver', 'extract', 'jobs', 'bench'].flatMap((d) => sourcesUnder(join(root, d)));

  it('finds the product sources it checks', () => {
    expect(outside.length).toBeGreaterThan(10);
  });

  it('no product code outside spark/ imports gRPC, protobuf, Arrow or the generated protocol', () => {
    const offenders = outside.flatMap((file) =>
      importsOf(file)
        .filter((spec) => /^@grpc\/|^@bufbuild\/|^apache-arrow|spark\/gen\//.test(spec))
        .map((spec) => `${relative(root, file)} imports ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it('product code outside spark/ imports only spark/index.ts (or the URL parser, spark/connect-url.ts) from spark/', () => {
    const offenders = outside.flatMap((file) =>
      importsOf(file)
        .filter((spec) => /(^|\/)spark\//.test(spec) && !/(^|\/)spark\/(index|connect-url)\.js$/.test(spec))
        .map((spec) => `${relative(root, file)} imports ${spec}`),
    );
    expect(offenders).toEqual([]);
  });
});
