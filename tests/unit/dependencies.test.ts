/**
 * The dependency rules of ARCHITECTURE.md, read from the import statements: wire code (gRPC, protobuf, Arrow,
 * generated protocol) lives in spark/ alone and the rest of the product reaches Spark only through
 * spark/index.ts (and spark/connect-url.ts, the URL parser alone); the folders depend on each other one way only.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
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
  [...readFileSync(file, 'utf8').matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].flatMap(
    (m) => m[1] ?? m[2] ?? [],
  );

/** The top folder of the repository a relative import lands in ('' for a package or a node: module). */
const folderOf = (file: string, spec: string) =>
  spec.startsWith('.') ? (relative(root, resolve(dirname(file), spec)).split('/')[0] ?? '') : '';

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

describe('dependencies point one way', () => {
  /** Each folder and the top folders of the repository it must never import from. */
  const forbidden: Array<[folder: string, never: string[]]> = [
    ['contracts', ['driver', 'extract', 'jobs', 'spark', 'tests', 'bench']],
    ['spark', ['driver', 'extract', 'jobs', 'contracts', 'tests', 'bench']],
    ['extract', ['driver', 'jobs', 'spark', 'tests', 'bench']],
    ['jobs', ['driver', 'extract', 'tests', 'bench']],
    ['driver', ['tests', 'bench']],
  ];

  for (const [folder, never] of forbidden) {
    it(`${folder}/ imports nothing from ${never.join(', ')}`, () => {
      const files = sourcesUnder(join(root, folder)).filter((file) => !file.includes(`${folder}/gen/`));
      expect(files.length).toBeGreaterThan(3);
      const offenders = files.flatMap((file) =>
        importsOf(file)
          .filter((spec) => never.includes(folderOf(file, spec)))
          .map((spec) => `${relative(root, file)} imports ${spec}`),
      );
      expect(offenders).toEqual([]);
    });
  }

  it('contracts/ uses no package either: it is plain data and pure functions', () => {
    const packages = sourcesUnder(join(root, 'contracts')).flatMap((file) => importsOf(file).filter((spec) => !spec.startsWith('.')));
    expect(packages).toEqual([]);
  });
});
