// Starts the real tocsin binary on a fresh database and stops it.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

// The server refuses unknown TOCSIN_* variables at start-up, and the test's own
// (TOCSIN_BIN, TOCSIN_ARTIFACTS) are not configuration keys: pass none of them on.
export function cleanEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TOCSIN_')) env[k] = v;
  return { ...env, ...extra };
}

// `tocsin user add --admin NAME --db PATH` with the password in TOCSIN_PASSWORD.
export function addAdminUser(bin, db, name, password) {
  const r = spawnSync(bin, ['user', 'add', '--admin', name, '--db', db], {
    env: cleanEnv({ TOCSIN_PASSWORD: password }),
    encoding: 'utf8',
    timeout: 30000,
  });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    throw new Error(`tocsin user add exited ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
  return r;
}

// Starts `tocsin serve` on 127.0.0.1:0; resolves {url, port, process, stop()}.
export async function startServer({ bin, db, env = {}, logFile, timeoutMs = 30000 }) {
  // TOCSIN_E2E_WEB_DIR: serve web/ from disk (iterate on the dashboard without
  // rebuilding); by default the test checks the files embedded in the binary.
  const webDir = process.env.TOCSIN_E2E_WEB_DIR ? ['--web-dir', process.env.TOCSIN_E2E_WEB_DIR] : [];
  const child = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--db', db, ...webDir], {
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = logFile ? fs.createWriteStream(logFile) : null;
  let stdout = '';
  let stderrTail = '';
  child.stderr.on('data', (d) => {
    log?.write(d);
    stderrTail = (stderrTail + d.toString()).slice(-8000);
  });
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });

  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tocsin did not report its port within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderrTail}`));
    }, timeoutMs);
    child.stdout.on('data', (d) => {
      log?.write(d);
      stdout += d.toString();
      const m = stdout.match(/tocsin \S+ listening on (http:\/\/127\.0\.0\.1:(\d+)) \(database /);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`tocsin exited early (code ${code}, signal ${signal})\nstdout: ${stdout}\nstderr: ${stderrTail}`));
    });
  });

  return {
    url,
    process: child,
    // SIGTERM, then the exit code (null if it had to be killed).
    async stop(graceMs = 20000) {
      if (child.exitCode !== null) return (await exited).code;
      child.kill('SIGTERM');
      const timeout = new Promise((resolve) => setTimeout(() => resolve(null), graceMs));
      const result = await Promise.race([exited, timeout]);
      if (result === null) {
        child.kill('SIGKILL');
        await exited;
        log?.end();
        return null;
      }
      log?.end();
      return result.code;
    },
    stderrTail: () => stderrTail,
  };
}

// Waits for a JSON line of the notify spool (notify.driver=file) matching `pred`.
export async function waitForNotifyLine(file, pred, timeoutMs = 10000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (fs.existsSync(file)) {
      const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
      for (const line of lines) {
        let json;
        try {
          json = JSON.parse(line);
        } catch {
          continue;
        }
        if (pred(json)) return json;
      }
    }
    if (Date.now() > end) throw new Error(`no matching line in ${path.basename(file)} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
