import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../driver/config.js';
import { chooseStack, type DockerProbe } from '../../driver/stack-kind.js';

const probe = (engine: boolean, compose: boolean) => (): DockerProbe => ({ engine, compose });
const never = (): DockerProbe => {
  throw new Error('probed Docker although the choice was already made');
};

describe('stack choice', () => {
  it('is docker only when both the engine and compose v2 answer', () => {
    expect(chooseStack({ probe: probe(true, true) }).kind).toBe('docker');
    expect(chooseStack({ probe: probe(true, false) })).toMatchObject({ kind: 'local', why: expect.stringContaining('compose v2') });
    expect(chooseStack({ probe: probe(false, true) })).toMatchObject({ kind: 'local', why: expect.stringContaining('docker info') });
    expect(chooseStack({ probe: probe(false, false) }).kind).toBe('local');
    expect(chooseStack({ requested: 'auto', probe: probe(true, true) }).kind).toBe('docker');
    expect(chooseStack({ requested: 'auto', probe: probe(false, true) }).kind).toBe('local');
  });

  it('follows STACK when set, without probing', () => {
    expect(chooseStack({ requested: 'local', probe: never }).kind).toBe('local');
    expect(chooseStack({ requested: 'docker', probe: never }).kind).toBe('docker');
  });

  it('keeps the running stack’s kind, and names the conflict when STACK asks for the other', () => {
    const running = chooseStack({ running: 'docker', probe: never });
    expect(running.kind).toBe('docker');
    expect(running.conflict).toBeUndefined();
    const choice = chooseStack({ running: 'local', requested: 'docker', probe: never });
    expect(choice.kind).toBe('local');
    expect(choice.conflict).toMatch(/STACK=docker.*local stack is running.*make down/);
  });
});

// The same choice end to end: the CLI the Makefile and the stack scripts call, with a stand-in `docker`
// on PATH that answers (or not) `docker info` and `docker compose version`.
describe('cli env / cli stack with a stand-in docker command', () => {
  const run = promisify(execFile);
  const fakeDocker = (info: number, compose: number) => {
    const bin = mkdtempSync(join(tmpdir(), 'fr-docker-'));
    writeFileSync(join(bin, 'docker'), `#!/bin/sh\ncase "$1" in info) exit ${info};; compose) exit ${compose};; esac\nexit 3\n`);
    chmodSync(join(bin, 'docker'), 0o755);
    return bin;
  };
  const cli = async (bin: string, args: string[], env: Record<string, string> = {}) => {
    const stackHome = env.STACK_HOME ?? mkdtempSync(join(tmpdir(), 'fr-stack-'));
    // STACK=auto: the choice under test, whatever this checkout's config.ini says.
    return run(process.execPath, ['--import', 'tsx', 'driver/cli.ts', ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, STACK: 'auto', STACK_HOME: stackHome, MINIO_ACCESS_KEY: 'test-key', MINIO_SECRET_KEY: 'test-secret', ...env },
    });
  };
  const stackLine = (stdout: string) => stdout.split('\n').find((line) => line.startsWith('STACK='));

  it('make -s env says docker when both answer, local when compose is missing or the engine is down', async () => {
    expect(stackLine((await cli(fakeDocker(0, 0), ['env'])).stdout)).toBe('STACK=docker');
    expect(stackLine((await cli(fakeDocker(0, 1), ['env'])).stdout)).toBe('STACK=local');
    expect(stackLine((await cli(fakeDocker(1, 0), ['env'])).stdout)).toBe('STACK=local');
    expect(stackLine((await cli(fakeDocker(0, 0), ['env'], { STACK: 'local' })).stdout)).toBe('STACK=local');
  });

  it('refuses `up` of the other kind while a stack runs, and reports the running kind otherwise', async () => {
    const stackHome = mkdtempSync(join(tmpdir(), 'fr-stack-'));
    mkdirSync(join(stackHome, 'run'));
    writeFileSync(join(stackHome, 'run', 'stack.kind'), 'local\n');
    const bin = fakeDocker(0, 0);
    await expect(cli(bin, ['stack', 'for=up'], { STACK_HOME: stackHome, STACK: 'docker' })).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/make down/),
    });
    expect((await cli(bin, ['stack'], { STACK_HOME: stackHome })).stdout).toMatch(/^stack: local \(a local stack is running/);
    expect(stackLine((await cli(bin, ['env'], { STACK_HOME: stackHome })).stdout)).toBe('STACK=local');
  });
});
