// What the interop scripts share: numbered checks with a closing "N passed, N failed" line, waiting
// for a condition, and the Java server and console client as child processes that are always stopped.

import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The repository root, where the built jars are. */
export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const WAIT_MS = 30_000;

const results = [];
const children = [];

export function check(name, ok, detail = '') {
  results.push(Boolean(ok));
  console.log(`${ok ? 'PASS' : 'FAIL'} ${name}${detail ? ` (${detail})` : ''}`);
}

/** Resolves with the first truthy value of `probe()` (which may be async), polling; throws after 30 s. */
export async function waitFor(what, probe, timeoutMs = WAIT_MS) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A child process whose stdout and stderr lines are collected; it is stopped by finish(). */
export function start(command, args, options = {}) {
  const child = spawn(command, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], ...options });
  children.push(child);
  const lines = { out: [], err: [] };
  createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (l) => lines.out.push(l));
  createInterface({ input: child.stderr, crlfDelay: Infinity }).on('line', (l) => lines.err.push(l));
  child.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, lines };
}

/** An empty working directory for identities and pins. */
export function freshDirectory(path) {
  rmSync(path, { recursive: true, force: true });
  mkdirSync(path, { recursive: true });
  return path;
}

/**
 * Starts the packaged Java server on a free loopback UDP port with the identity at `identityPath`;
 * resolves with `{ port, fingerprint, stop() }` once it listens.
 */
export async function startServer(identityPath) {
  const server = start('java', ['-Dciphergram.udp.port=0', '-Dciphergram.udp.host=127.0.0.1',
    '-Dquarkus.http.port=0', `-Dciphergram.identity.path=${identityPath}`, '-jar', 'target/quarkus-app/quarkus-run.jar']);
  const log = () => [...server.lines.out, ...server.lines.err];
  const listening = await waitFor('the server to listen', () => log()
    .map((l) => /Ciphergram UDP listening on 127\.0\.0\.1:(\d+)/.exec(l)).find(Boolean));
  return {
    port: Number(listening[1]),
    fingerprint: log().map((l) => /server identity (SHA256:\S+)/.exec(l)).find(Boolean)?.[1],
    stop: () => stop(server.child),
  };
}

/** The Java console client as NAME: `say(line)` types a line, `lines.out` is what it printed. */
export function startConsoleClient(port, name, knownServers) {
  const client = start('java', ['-jar', 'target/ciphergram-cli.jar', 'client', '--server', `127.0.0.1:${port}`,
    '--name', name, '--known-servers', knownServers]);
  return { ...client, say: (line) => client.child.stdin.write(`${line}\n`) };
}

async function stop(child) {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    await Promise.race([child.exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await child.exited;
    }
  }
}

/**
 * Runs `main` with an overall time limit, then stops every child process, prints the summary and exits
 * 0 only if every check passed. `cleanup` runs before the children are stopped.
 */
export function run(main, { timeoutMs = 240_000, cleanup = async () => {} } = {}) {
  let finished = false;
  const finish = async () => {
    if (finished) {
      return;
    }
    finished = true;
    clearTimeout(timer);
    await cleanup().catch(() => {});
    for (const child of children) {
      await stop(child);
    }
    const passed = results.filter(Boolean).length;
    console.log(`${passed} passed, ${results.length - passed} failed`);
    process.exit(passed === results.length && results.length > 0 ? 0 : 1);
  };
  const timer = setTimeout(() => {
    check('the run finished in time', false);
    finish();
  }, timeoutMs);
  main().catch((e) => check('the run', false, e.message)).finally(finish);
}
