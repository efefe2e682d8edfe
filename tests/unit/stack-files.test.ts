import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../driver/config.js';
import { COMPOSE_SECRETS, renderProperties, secretFile, TemplateError, writeComposeSecrets, writeOwnerOnly } from '../../driver/stack-files.js';

const dir = mkdtempSync(join(tmpdir(), 'fr-stack-files-'));
const hasJava = (() => {
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/**
 * The oracle is Java itself: the same Properties.load over a UTF-8 reader that Spark's --properties-file uses
 * (Utils.getPropertiesFromFile), run as a single-file program; it prints each value's UTF-8 bytes in hex.
 */
function readWithJava(path: string): Record<string, string> {
  const program = join(dir, 'ReadProps.java');
  writeFileSync(
    program,
    `import java.io.*; import java.nio.charset.StandardCharsets; import java.util.*;
public class ReadProps { public static void main(String[] a) throws Exception {
  Properties p = new Properties();
  try (Reader r = new InputStreamReader(new FileInputStream(a[0]), StandardCharsets.UTF_8)) { p.load(r); }
  for (String k : new TreeSet<>(p.stringPropertyNames())) {
    StringBuilder hex = new StringBuilder();
    for (byte b : p.getProperty(k).getBytes(StandardCharsets.UTF_8)) hex.append(String.format("%02x", b));
    System.out.println(k + "=" + hex);
  } } }`,
  );
  const out = execFileSync('java', [program, path], { encoding: 'utf8' });
  return Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), Buffer.from(line.slice(line.indexOf('=') + 1), 'hex').toString('utf8')]),
  );
}

describe('stack configuration files', () => {
  const hostile = `p&ss\\w0rd $x "q" 'y' & \\\\ \${SPARK_CONNECT_TOKEN} $& ünï ☃ end`;

  it.skipIf(!hasJava)('renders values that Java properties read back byte for byte', () => {
    const template = '# ${NOT_REPLACED} in a comment\nspark.a   ${A}\nspark.b ${B}\nspark.both ${A}|${B}\n';
    const text = renderProperties(template, { A: hostile, B: '  leading blanks and a tab\tand a\\' });
    const path = join(dir, 'hostile.conf');
    writeOwnerOnly(path, text);
    expect(readWithJava(path)).toEqual({
      'spark.a': hostile,
      'spark.b': '  leading blanks and a tab\tand a\\',
      'spark.both': `${hostile}|  leading blanks and a tab\tand a\\`,
    });
    expect(text).toContain('# ${NOT_REPLACED} in a comment');
  });

  it.skipIf(!hasJava)("the container's renderer (spark/scripts/render-conf.sh) gives Java the same values", () => {
    const templatePath = join(dir, 'container.template');
    writeFileSync(templatePath, '# ${NOT_REPLACED}\nspark.a   ${A}\nspark.b ${B}|${A}\n');
    const values = { A: hostile, B: ' lead & tail\\' };
    const text = execFileSync('bash', [join(PROJECT_ROOT, 'spark/scripts/render-conf.sh'), templatePath], {
      env: { ...process.env, ...values },
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(text).toBe(renderProperties('# ${NOT_REPLACED}\nspark.a   ${A}\nspark.b ${B}|${A}\n', values));
    const path = join(dir, 'container.conf');
    writeOwnerOnly(path, text);
    expect(readWithJava(path)).toEqual({ 'spark.a': hostile, 'spark.b': `${values.B}|${hostile}` });
  });

  it("the container's renderer reads a secret from its compose secret file, byte for byte, as Node wrote it", () => {
    const home = mkdtempSync(join(tmpdir(), 'fr-compose-secrets-'));
    const secrets = Object.fromEntries(COMPOSE_SECRETS.map((name, i) => [name, `${hostile} ${i}`])) as Record<(typeof COMPOSE_SECRETS)[number], string>;
    writeComposeSecrets(secrets, home);
    for (const name of COMPOSE_SECRETS) expect(statSync(secretFile(home, name)).mode & 0o777, name).toBe(0o600);
    const templatePath = join(dir, 'secrets.template');
    writeFileSync(templatePath, 'spark.token ${SPARK_CONNECT_TOKEN}\nspark.secret ${SPARK_AUTHENTICATE_SECRET}\nspark.user ${MINIO_ACCESS_KEY}\n');
    // The environment holds no secret (as in a container); a plain setting still comes from it.
    const env = { PATH: process.env.PATH, SECRETS_DIR: join(home, 'secrets'), MINIO_ACCESS_KEY: 'pipeline' };
    const text = execFileSync('bash', [join(PROJECT_ROOT, 'spark/scripts/render-conf.sh'), templatePath], { env, encoding: 'utf8', timeout: 10_000 });
    expect(text).toBe(renderProperties(readFileSync(templatePath, 'utf8'), { ...secrets, MINIO_ACCESS_KEY: 'pipeline' }));
    expect(() => execFileSync('bash', [join(PROJECT_ROOT, 'spark/scripts/render-conf.sh'), templatePath], { env: { ...env, SECRETS_DIR: dir }, stdio: 'pipe' })).toThrow(
      /no value for SPARK_AUTHENTICATE_SECRET SPARK_CONNECT_TOKEN/,
    );
  });

  it('ends on values full of & and placeholders (each value is inserted once, never scanned again)', () => {
    const started = Date.now();
    const value = '&'.repeat(10_000) + '${A}'.repeat(1000);
    const text = renderProperties('k ${A}\n', { A: value });
    expect(text).toBe(`k ${value}\n`);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('names every placeholder without a value', () => {
    expect(() => renderProperties('a ${X}\nb ${Y}\nc ${Z}\n', { Z: 'z' })).toThrow(TemplateError);
    expect(() => renderProperties('a ${X}\nb ${Y}\n', {})).toThrow(/no value for X, Y/);
  });

  it('creates files owner-only from the first byte, in an owner-only folder, replacing the old one', () => {
    const path = join(dir, 'secrets', 'one');
    writeOwnerOnly(path, 'first');
    writeOwnerOnly(path, 'second');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'secrets')).mode & 0o777).toBe(0o700);
  });
});
