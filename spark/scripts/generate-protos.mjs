// npm run gen: the Spark Connect protocol code, generated from the .proto files inside Spark's Connect server jar
// (jars/spark-connect_*.jar), never copied into the repository. The jar is the installed Spark's (make setup,
// local stack) or, on a Docker host without one, the copy taken from the Spark image (compose-stack.sh images).
// buf reads the protos straight from the jar (a zip). Output: spark/gen/ (git-ignored).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const stackHome = process.env.STACK_HOME || join(root, '.stack');
const jarDirs = [join(stackHome, 'spark', 'jars'), join(stackHome, 'docker', 'jars')];
const workDir = join(stackHome, 'proto');
const outDir = join(root, 'spark', 'gen');
const stampFile = join(outDir, '.stamp');

const jarsDir = jarDirs.find((dir) => existsSync(dir));
if (!jarsDir) {
  console.error(`gen: no Spark jars in ${jarDirs.join(' or ')}; run 'make setup' first`);
  process.exit(1);
}
const jar = readdirSync(jarsDir).find((name) => /^spark-connect_[\d.]+-.+\.jar$/.test(name));
if (!jar) {
  console.error(`gen: no spark-connect_*.jar in ${jarsDir}; the Spark jars are incomplete (re-run 'make setup')`);
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
rmSync(workDir, { recursive: true, force: true });
mkdirSync(workDir, { recursive: true });
writeFileSync(
  join(workDir, 'buf.gen.yaml'),
  [
    'version: v2',
    'inputs:',
    `  - zip_archive: ${jarPath}`,
    '    paths: [spark/connect, google/rpc/error_details.proto, google/rpc/status.proto]',
    'plugins:',
    `  - local: ${join(root, 'node_modules', '.bin', 'protoc-gen-es')}`,
    `    out: ${outDir}`,
    '    opt: [target=ts, import_extension=js]',
    '',
  ].join('\n'),
);
rmSync(outDir, { recursive: true, force: true });
execFileSync(join(root, 'node_modules', '.bin', 'buf'), ['generate'], { cwd: workDir, stdio: 'inherit' });
writeFileSync(stampFile, stamp);
console.log(`gen: generated spark/gen from ${jar}`);
