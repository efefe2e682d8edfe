// npm run gen: the Spark Connect protocol code, generated from the .proto files inside the installed Spark
// (jars/spark-connect_*.jar), never copied into the repository. Output: spark/gen/ (git-ignored).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const stackHome = process.env.STACK_HOME || join(root, '.stack');
const jarsDir = join(stackHome, 'spark', 'jars');
const protoDir = join(stackHome, 'proto');
const outDir = join(root, 'spark', 'gen');
const stampFile = join(outDir, '.stamp');

if (!existsSync(jarsDir)) {
  console.error(`gen: no Spark distribution at ${jarsDir}; run 'make setup' first`);
  process.exit(1);
}
const jar = readdirSync(jarsDir).find((name) => /^spark-connect_[\d.]+-.+\.jar$/.test(name));
if (!jar) {
  console.error(`gen: no spark-connect_*.jar in ${jarsDir}; the Spark distribution is incomplete (re-run 'make setup')`);
  process.exit(1);
}
const jarPath = join(jarsDir, jar);
const stamp = `${jar} ${statSync(jarPath).size} ${readFileSync(fileURLToPath(import.meta.url), 'utf8').length}`;
if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
  console.log(`gen: spark/gen is up to date with ${jar}`);
  process.exit(0);
}

// The Spark Connect protos, plus the google.rpc ones Spark's error details use. The well-known types
// (google/protobuf/*) come with buf itself.
rmSync(protoDir, { recursive: true, force: true });
mkdirSync(protoDir, { recursive: true });
execFileSync(
  'python3',
  [
    '-c',
    `import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
for n in z.namelist():
    if (n.startswith('spark/connect/') and n.endswith('.proto')) or n in ('google/rpc/error_details.proto', 'google/rpc/status.proto'):
        z.extract(n, sys.argv[2])`,
    jarPath,
    protoDir,
  ],
  { stdio: 'inherit' },
);

writeFileSync(join(protoDir, 'buf.yaml'), 'version: v2\n');
writeFileSync(
  join(protoDir, 'buf.gen.yaml'),
  [
    'version: v2',
    'plugins:',
    `  - local: ${join(root, 'node_modules', '.bin', 'protoc-gen-es')}`,
    `    out: ${outDir}`,
    '    opt: [target=ts, import_extension=js]',
    '',
  ].join('\n'),
);
rmSync(outDir, { recursive: true, force: true });
execFileSync(join(root, 'node_modules', '.bin', 'buf'), ['generate'], { cwd: protoDir, stdio: 'inherit' });
writeFileSync(stampFile, stamp);
console.log(`gen: generated spark/gen from ${jar}`);
