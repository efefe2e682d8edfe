import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the stack runs: local processes (spark/scripts/stack.sh) or docker compose (spark/scripts/compose-stack.sh). */
export const STACK_KINDS = ['local', 'docker'] as const;
export type StackKind = (typeof STACK_KINDS)[number];

export interface DockerProbe {
  /** `docker info` answers: an engine is reachable. */
  engine: boolean;
  /** `docker compose version` answers: the compose v2 plugin is installed. */
  compose: boolean;
}

export interface StackChoice {
  kind: StackKind;
  why: string;
  /** Set when the request contradicts the running stack: `make up` refuses rather than start a second one. */
  conflict?: string;
}

/**
 * The stack in use. A running stack keeps the kind it was started with, so `make down` and `make status`
 * reach what `make up` started even if STACK or the Docker engine changed meanwhile. Otherwise STACK
 * decides, and unset it is docker only when both the engine and compose v2 answer.
 */
export function chooseStack(input: {
  requested?: StackKind | 'auto';
  running?: StackKind;
  probe: () => DockerProbe;
}): StackChoice {
  const { running } = input;
  const requested = input.requested === 'auto' ? undefined : input.requested;
  if (running) {
    const why = `a ${running} stack is running (started by make up)`;
    if (requested && requested !== running) {
      return { kind: running, why, conflict: `STACK=${requested}, but ${why}: run \`make down\` first, or use STACK=${running}` };
    }
    return { kind: running, why };
  }
  if (requested) return { kind: requested, why: `STACK=${requested} is set` };
  const probe = input.probe();
  if (probe.engine && probe.compose) return { kind: 'docker', why: 'a Docker engine and docker compose v2 answer' };
  const missing = probe.engine ? 'docker compose v2 is not installed' : 'no Docker engine answers `docker info`';
  return { kind: 'local', why: `${missing}; local processes` };
}

const answers = (args: string[]) =>
  spawnSync('docker', args, { stdio: 'ignore', timeout: 10_000 }).status === 0;

export const probeDocker = (): DockerProbe => ({ compose: answers(['compose', 'version']), engine: answers(['info']) });

/** The kind recorded by the stack scripts while a stack is up (.stack/run/stack.kind). */
export function runningStack(stackHome: string): StackKind | undefined {
  try {
    const recorded = readFileSync(join(stackHome, 'run', 'stack.kind'), 'utf8').trim();
    return (STACK_KINDS as readonly string[]).includes(recorded) ? (recorded as StackKind) : undefined;
  } catch {
    return undefined;
  }
}
