#!/usr/bin/env node
// Dashboard benchmark: the incident list (#/incidents) in a real Chromium
// against the release server with many open incidents.
//
//   node bench/dashboard_bench.mjs [--incidents 10000] [--rate 50] [--seconds 20]
//        [--idle-seconds 10] [--runs 7] [--hot 0.5] [--pages 1] [--db PATH] [--profile FILE]
//        [--bin build/release/src/app/tocsin] [--seed build/release/bench/tocsin_seed]
//        [--chromium /usr/bin/chromium] [--row FILE] [--keep]
//
// Measures, each next to a baseline taken in the same run:
//  1. First page: a fresh page load of #/incidents (signed in) until the first
//     page of rows is in the DOM and painted, against the page's own
//     fetch('/api/v1/incidents?status=OPEN&limit=50') plus JSON parse.
//  2. Responsiveness while `--rate` impact changes a second stream in over
//     `--seconds` (PATCH /api/v1/incidents/{id} from Node, paced by a timer):
//     requestAnimationFrame gaps, long tasks and input latency (a real click on
//     an impact filter checkbox every 500 ms), against the same measurements
//     with nothing streaming (`--idle-seconds`). A share `--hot` of the updates
//     goes to the rows loaded in the page (the first `--pages` pages of 50;
//     "Load more" is clicked to get there), the rest to any open incident.
// Prints a markdown report. Exits 0 whether or not the targets are met (it is a
// benchmark), non-zero on errors (server failed, no rows rendered, ...).
// --row FILE also writes a one-line summary row for bench/run_all.sh's report.
import { createRequire } from 'node:module';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(new URL('../tests/e2e/web/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const KEY = 'tcn_bench_dash_0123456789abcdef';
const USER = 'bench';
const PASSWORD = 'bench-dashboard-correct-horse';
const PAGE_SIZE = 50; // web/js/page_incidents.js
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const TARGET_FIRST_PAGE_MS = 1000;
const TARGET_FRAME_P99_MS = 100;
const TARGET_INPUT_P99_MS = 100;
const INPUT_EVERY_MS = 500;

// --- Command line ---------------------------------------------------------------------

function parseArgs(argv) {
  const o = {
    incidents: 10000,
    rate: 50,
    seconds: 20,
    idleSeconds: 10,
    runs: 7,
    hot: 0.5,
    pages: 1,
    db: '',
    profile: '',
    row: '',
    bin: path.join(ROOT, 'build/release/src/app/tocsin'),
    seed: path.join(ROOT, 'build/release/bench/tocsin_seed'),
    chromium: process.env.CHROMIUM || '/usr/bin/chromium',
    keep: false,
  };
  const numeric = { '--incidents': 'incidents', '--rate': 'rate', '--seconds': 'seconds', '--idle-seconds': 'idleSeconds', '--runs': 'runs', '--hot': 'hot', '--pages': 'pages' };
  const strings = { '--db': 'db', '--profile': 'profile', '--row': 'row', '--bin': 'bin', '--seed': 'seed', '--chromium': 'chromium' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--keep') {
      o.keep = true;
    } else if (a === '-h' || a === '--help') {
      console.log(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(3, 8).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
      process.exit(0);
    } else if (numeric[a] || strings[a]) {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      if (numeric[a]) {
        const n = Number(v);
        if (!Number.isFinite(n) || n < 0) throw new Error(`${a}: not a number: ${v}`);
        o[numeric[a]] = n;
      } else {
        o[strings[a]] = v;
      }
    } else {
      throw new Error(`unknown argument ${a} (see --help)`);
    }
  }
  if (o.runs < 1 || o.incidents < 1 || o.pages < 1 || o.hot > 1) throw new Error('--runs, --incidents and --pages must be ≥ 1, --hot in [0, 1]');
  return o;
}

// --- Small helpers --------------------------------------------------------------------

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...a) => console.error('[dashboard-bench]', ...a);

function pct(values, p) {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}
const median = (v) => pct(v, 50);
const max = (v) => (v.length ? Math.max(...v) : NaN);
const sum = (v) => v.reduce((a, b) => a + b, 0);
const ms = (v) => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : 'n/a');
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');

// A clean environment: the server refuses unknown TOCSIN_* variables.
function cleanEnv(extra = {}) {
  return { PATH: process.env.PATH || '/usr/bin:/bin', HOME: process.env.HOME || os.tmpdir(), ...extra };
}

function run(cmd, args, env) {
  const r = spawnSync(cmd, args, { env: cleanEnv(env), encoding: 'utf8', timeout: 30 * 60 * 1000 });
  if (r.error) throw r.error;
  return r;
}

// --- Server ---------------------------------------------------------------------------

async function startServer(bin, db, logFile) {
  const child = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--db', db], {
    env: cleanEnv({ TOCSIN_BOOTSTRAP_KEY: KEY, TOCSIN_LOG_ACCESS: 'false', TOCSIN_LOG_LEVEL: 'warn' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = fs.createWriteStream(logFile);
  let stdout = '';
  child.stderr.on('data', (d) => out.write(d));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tocsin did not report its port within 60 s (log: ${logFile})`));
    }, 60000);
    child.stdout.on('data', (d) => {
      out.write(d);
      stdout += d.toString();
      const m = stdout.match(/tocsin \S+ listening on (http:\/\/127\.0\.0\.1:\d+) \(/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`tocsin exited early (code ${code}, signal ${signal}); log: ${fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-2000) : ''}`));
    });
  });
  return {
    url,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const r = await Promise.race([exited, sleep(20000).then(() => null)]);
      if (r === null) {
        child.kill('SIGKILL');
        await exited;
      }
      out.end();
    },
  };
}

// Keep-alive JSON client with the bearer key.
function apiClient(base) {
  const u = new URL(base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  function call(method, p, body) {
    return new Promise((resolve, reject) => {
      const data = body === undefined ? null : Buffer.from(JSON.stringify(body));
      const req = http.request({
        host: u.hostname,
        port: u.port,
        method,
        path: `/api/v1${p}`,
        agent,
        headers: {
          Authorization: `Bearer ${KEY}`,
          Accept: 'application/json',
          ...(data ? { 'Content-Type': 'application/json', 'Content-Length': data.length } : {}),
        },
      }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let json = null;
          try {
            json = text ? JSON.parse(text) : null;
          } catch {
            json = text;
          }
          resolve({ status: res.statusCode, json });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.setTimeout(30000, () => req.destroy(new Error(`${method} ${p}: timeout`)));
      if (data) req.write(data);
      req.end();
    });
  }
  return { call, close: () => agent.destroy() };
}

// Every open incident: [{id, impact}] in list order (newest first).
async function listOpen(api) {
  const all = [];
  let cursor = '';
  for (;;) {
    const q = `/incidents?status=OPEN&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const r = await api.call('GET', q);
    if (r.status !== 200) throw new Error(`GET ${q} → ${r.status}: ${JSON.stringify(r.json)}`);
    for (const inc of r.json.items || []) all.push({ id: inc.id, impact: Number(inc.impact) });
    cursor = r.json.nextCursor || '';
    if (!cursor) return all;
  }
}

// --- In-page instrumentation (runs before the app in every page) ------------------------

function pageInstrumentation(pageSize) {
  const B = {
    want: pageSize,
    rowsAt: null, // performance.now() (ms since navigation start) when the rows were in the DOM
    paintAt: null, // ... after the next frame
    rowCount: 0,
    sse: { events: 0, updated: 0 },
    rec: null,
  };
  window.__bench = B;

  // Live entries seen: count them on the page's own EventSource.
  const NativeES = window.EventSource;
  window.EventSource = class extends NativeES {
    constructor(...args) {
      super(...args);
      this.addEventListener('timeline', (ev) => {
        B.sse.events += 1;
        if (typeof ev.data === 'string' && ev.data.includes('"Incident Updated"')) B.sse.updated += 1;
      });
    }
  };

  // After the next frame has been produced.
  const afterFrame = (fn) => requestAnimationFrame(() => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => fn(performance.now());
    ch.port2.postMessage(0);
  });

  // First page: the moment the list holds `want` rows (or the list is complete with fewer).
  const check = () => {
    const list = document.querySelector('[data-testid="incident-list"]');
    if (!list) return false;
    const n = list.querySelectorAll('[data-testid="incident-row"]').length;
    const status = document.querySelector('.list-status');
    const complete = n > 0 && status && status.textContent && !/more available/.test(status.textContent);
    if (n >= B.want || complete) {
      B.rowCount = n;
      return true;
    }
    return false;
  };
  const mo = new MutationObserver(() => {
    if (B.rowsAt !== null || !check()) return;
    B.rowsAt = performance.now();
    mo.disconnect();
    afterFrame((t) => {
      B.paintAt = t;
    });
  });
  mo.observe(document, { childList: true, subtree: true });

  // Responsiveness recording: frame gaps, long tasks, input → next frame.
  B.start = () => {
    const rec = { t0: performance.now(), frames: [], longtasks: [], inputs: [], running: true };
    B.rec = rec;
    const loop = (t) => {
      if (!rec.running) return;
      rec.frames.push(t);
      requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
    rec.po = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (e.startTime >= rec.t0) rec.longtasks.push({ start: e.startTime, duration: e.duration });
    });
    rec.po.observe({ type: 'longtask', buffered: true });
    rec.onClick = (ev) => {
      if (!ev.target || !ev.target.matches || !ev.target.matches('[data-testid^="filter-impact-"]')) return;
      const started = ev.timeStamp;
      afterFrame((t) => rec.inputs.push(t - started));
    };
    window.addEventListener('click', rec.onClick, true);
    return true;
  };
  B.stop = () => {
    const rec = B.rec;
    rec.running = false;
    rec.po.takeRecords().forEach((e) => e.startTime >= rec.t0 && rec.longtasks.push({ start: e.startTime, duration: e.duration }));
    rec.po.disconnect();
    window.removeEventListener('click', rec.onClick, true);
    const gaps = [];
    for (let i = 1; i < rec.frames.length; i++) gaps.push(rec.frames[i] - rec.frames[i - 1]);
    return { seconds: (performance.now() - rec.t0) / 1000, gaps, longtasks: rec.longtasks, inputs: rec.inputs };
  };
}

// --- Browser steps --------------------------------------------------------------------

async function login(page, url) {
  await page.goto(`${url}/#/login`);
  await page.locator('[data-testid="login-name"]').fill(USER);
  await page.locator('[data-testid="login-password"]').fill(PASSWORD);
  await page.locator('[data-testid="login-submit"]').click();
  await page.locator('[data-testid="incident-row"]').first().waitFor({ timeout: 60000 });
}

async function openList(context, url, beforeGoto) {
  const page = await context.newPage();
  if (beforeGoto) await beforeGoto(page);
  const problems = [];
  page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
  page.on('crash', () => problems.push('page crashed'));
  await page.goto(`${url}/#/incidents`, { waitUntil: 'commit' });
  try {
    await page.waitForFunction(() => window.__bench && window.__bench.paintAt !== null, null, { timeout: 60000, polling: 50 });
  } catch (err) {
    const n = await page.locator('[data-testid="incident-row"]').count().catch(() => -1);
    throw new Error(`the first page of incidents did not render within 60 s (${n} rows; ${problems.join('; ')}): ${err.message}`);
  }
  const info = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const list = performance.getEntriesByType('resource').find((e) => /\/api\/v1\/incidents\?/.test(e.name) && !/counts/.test(e.name));
    return {
      rowsAt: window.__bench.rowsAt,
      paintAt: window.__bench.paintAt,
      rows: window.__bench.rowCount,
      domContentLoaded: nav ? nav.domContentLoadedEventEnd : NaN,
      listStart: list ? list.startTime : NaN,
      listEnd: list ? list.responseEnd : NaN,
    };
  });
  if (!info.rows) throw new Error('zero incident rows rendered');
  return { page, info, problems };
}

// Clicks "Load more" until `pages` pages are shown (or there are no more).
async function loadPages(page, pages) {
  const rows = page.locator('[data-testid="incident-row"]');
  for (let i = 1; i < pages; i++) {
    const more = page.locator('[data-testid="load-more"]');
    if (!(await more.isVisible())) break;
    const before = await rows.count();
    await more.click();
    await page.waitForFunction((n) => {
      const btn = document.querySelector('[data-testid="load-more"]');
      return document.querySelectorAll('[data-testid="incident-row"]').length > n && (!btn || btn.hidden || !btn.disabled);
    }, before, { timeout: 30000, polling: 50 });
  }
  return rows.count();
}

// The page's own fetch of the first page plus JSON parse, in ms.
function fetchBaseline(page) {
  return page.evaluate(async () => {
    const t0 = performance.now();
    const r = await fetch('/api/v1/incidents?status=OPEN&limit=50', { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    const j = await r.json();
    const t = performance.now() - t0;
    if (!r.ok || !Array.isArray(j.items) || !j.items.length) throw new Error(`baseline fetch: ${r.status}`);
    return t;
  });
}

// Clicks an impact filter checkbox every INPUT_EVERY_MS until `stopAt`; returns
// the Node-side round trips (click, then read the checkbox back). The
// checkbox is found with the page's own querySelector (Playwright locators
// would walk the whole DOM in script on every call: measurable with 2,000 rows).
async function clickLoop(page, stopAt) {
  const rtts = [];
  let n = 0;
  let next = Date.now();
  while (Date.now() + INPUT_EVERY_MS / 2 < stopAt) {
    next += INPUT_EVERY_MS;
    const sel = `[data-testid="filter-impact-${(n % 5) + 1}"]`;
    const box = await page.evaluate((s) => {
      const el = document.querySelector(s);
      if (!el) return null;
      let r = el.getBoundingClientRect();
      if (r.top < 0 || r.bottom > window.innerHeight) {
        el.scrollIntoView({ block: 'center' });
        r = el.getBoundingClientRect();
      }
      return { x: r.left + r.width / 2, y: r.top + r.height / 2, checked: el.checked, visible: r.width > 0 };
    }, sel);
    if (!box || !box.visible) throw new Error('impact filter checkbox not visible');
    const t0 = performance.now();
    await page.mouse.click(box.x, box.y);
    const after = await page.evaluate((s) => document.querySelector(s).checked, sel);
    rtts.push(performance.now() - t0);
    if (after === box.checked) throw new Error('the click did not toggle the impact filter checkbox');
    n += 1;
    await sleep(Math.max(0, next - Date.now()));
  }
  return rtts;
}

// Sends `rate` impact changes a second for `seconds`, paced by a timer, to random
// open incidents (a share `hot` of them to the rows on the list's first page).
async function streamUpdates(api, open, hotIds, { rate, seconds, hot }) {
  const impact = new Map(open.map((x) => [x.id, x.impact]));
  const ids = open.map((x) => x.id);
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const stats = { sent: 0, ok: 0, failed: 0, errors: [], latencies: [], hotChanged: new Set(), maxLateMs: 0 };
  const inflight = new Set();
  const t0 = performance.now();
  const sendOne = () => {
    const useHot = hotIds.length && Math.random() < hot;
    const id = useHot ? hotIds[Math.floor(Math.random() * hotIds.length)] : ids[Math.floor(Math.random() * ids.length)];
    const next = ((impact.get(id) || 1) % 5) + 1; // Always a change: one "Incident Updated" entry.
    impact.set(id, next);
    if (hotIds.includes(id)) stats.hotChanged.add(id);
    stats.sent += 1;
    const started = performance.now();
    const p = api.call('PATCH', `/incidents/${encodeURIComponent(id)}`, { impact: next }).then((r) => {
      if (r.status === 200) {
        stats.ok += 1;
        stats.latencies.push(performance.now() - started);
      } else {
        stats.failed += 1;
        if (stats.errors.length < 5) stats.errors.push(`${r.status} ${JSON.stringify(r.json)}`);
      }
    }, (err) => {
      stats.failed += 1;
      if (stats.errors.length < 5) stats.errors.push(err.message);
    });
    inflight.add(p);
    p.finally(() => inflight.delete(p));
  };
  for (let i = 0; i < total; i++) {
    const due = t0 + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    stats.maxLateMs = Math.max(stats.maxLateMs, performance.now() - due);
    sendOne();
  }
  const sendSeconds = (performance.now() - t0) / 1000;
  await Promise.all([...inflight]);
  stats.seconds = sendSeconds;
  return stats;
}

// One measured window: frame gaps, long tasks, input latency.
async function measureWindow(page, seconds, during) {
  await page.evaluate(() => window.__bench.start());
  const stopAt = Date.now() + seconds * 1000;
  const [rtts, extra] = await Promise.all([clickLoop(page, stopAt), during ? during() : sleep(seconds * 1000)]);
  const rec = await page.evaluate(() => window.__bench.stop());
  return { ...rec, rtts, extra };
}

function summarize(w) {
  return {
    seconds: w.seconds,
    frames: w.gaps.length,
    gapP50: pct(w.gaps, 50),
    gapP99: pct(w.gaps, 99),
    gapMax: max(w.gaps),
    longCount: w.longtasks.length,
    longMs: sum(w.longtasks.map((x) => x.duration)),
    inputN: w.inputs.length,
    inputP50: pct(w.inputs, 50),
    inputP99: pct(w.inputs, 99),
    inputMax: max(w.inputs),
    rttP50: pct(w.rtts, 50),
    rttP99: pct(w.rtts, 99),
  };
}

// Self time per function from a CDP CPU profile, biggest first.
function topFunctions(profile, n = 15) {
  const self = new Map();
  const byId = new Map(profile.nodes.map((x) => [x.id, x]));
  const dt = profile.timeDeltas || [];
  (profile.samples || []).forEach((id, i) => {
    const node = byId.get(id);
    const cf = node.callFrame;
    const key = `${cf.functionName || '(anonymous)'} ${cf.url ? `${cf.url.replace(/^https?:\/\/[^/]+/, '')}:${cf.lineNumber + 1}` : ''}`.trim();
    self.set(key, (self.get(key) || 0) + (dt[i] || 0) / 1000);
  });
  const total = sum([...self.values()]);
  return { total, top: [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, n) };
}

// --- Main -----------------------------------------------------------------------------

async function main() {
  const opt = parseArgs(process.argv.slice(2));
  for (const [name, file] of [['--bin', opt.bin], ['--chromium', opt.chromium]]) {
    if (!fs.existsSync(file)) throw new Error(`${name} ${file} does not exist (build: cmake --build --preset release --target tocsin tocsin_seed)`);
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tocsin-dash-bench-'));
  let server = null;
  let browser = null;
  let api = null;
  const cleanup = async () => {
    await browser?.close().catch(() => {});
    api?.close();
    await server?.stop().catch(() => {});
    if (!opt.keep) fs.rmSync(work, { recursive: true, force: true });
    else log(`kept ${work}`);
  };
  const onSignal = (sig) => {
    log(`${sig}: cleaning up`);
    cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    // Database.
    const givenDb = opt.db && fs.existsSync(opt.db);
    const db = opt.db || path.join(work, 'tocsin.db');
    if (!givenDb) {
      if (!fs.existsSync(opt.seed)) throw new Error(`--seed ${opt.seed} does not exist`);
      log(`seeding ${opt.incidents} open incidents into ${db}`);
      const r = run(opt.seed, [db, String(opt.incidents), '2', '100']);
      if (r.status !== 0) throw new Error(`tocsin_seed exited ${r.status}: ${r.stderr}`);
    }
    const added = run(opt.bin, ['user', 'add', '--admin', USER, '--db', db], { TOCSIN_PASSWORD: PASSWORD });
    if (added.status !== 0) {
      if (!givenDb) throw new Error(`tocsin user add exited ${added.status}: ${added.stderr}${added.stdout}`);
      log(`user add failed (an existing database: assuming user ${USER} exists with the bench password): ${added.stderr.trim()}`);
    }

    server = await startServer(opt.bin, db, path.join(work, 'server.log'));
    log(`server at ${server.url}`);
    api = apiClient(server.url);
    const open = await listOpen(api);
    if (!open.length) throw new Error('no open incidents in the database');
    const hotIds = open.slice(0, PAGE_SIZE * opt.pages).map((x) => x.id);
    log(`${open.length} open incidents`);

    browser = await chromium.launch({ executablePath: opt.chromium, headless: true, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addInitScript(pageInstrumentation, PAGE_SIZE);
    const loginPage = await context.newPage();
    await login(loginPage, server.url);
    await loginPage.close();

    // 1. First page, fresh page loads; baseline: the page's own fetch of the same page.
    log(`first page: ${opt.runs} fresh loads`);
    const firstPaint = [];
    const firstRows = [];
    const baseline = [];
    const details = [];
    for (let i = 0; i < opt.runs; i++) {
      const { page, info, problems } = await openList(context, server.url);
      if (problems.length) throw new Error(problems.join('; '));
      await sleep(300);
      baseline.push(await fetchBaseline(page));
      firstPaint.push(info.paintAt);
      firstRows.push(info.rowsAt);
      details.push(info);
      await page.close();
    }

    // With --profile: one more load (not counted) under the CPU profiler.
    let firstProfileTop = null;
    if (opt.profile) {
      let session = null;
      const { page } = await openList(context, server.url, async (p) => {
        session = await context.newCDPSession(p);
        await session.send('Profiler.enable');
        await session.send('Profiler.setSamplingInterval', { interval: 500 });
        await session.send('Profiler.start');
      });
      const { profile } = await session.send('Profiler.stop');
      fs.writeFileSync(opt.profile.replace(/(\.cpuprofile)?$/, '-first-page.cpuprofile'), JSON.stringify(profile));
      firstProfileTop = topFunctions(profile);
      await session.detach();
      await page.close();
    }

    // 2. Responsiveness: idle, then under the stream, in one page.
    const { page, problems } = await openList(context, server.url);
    await page.locator('[data-testid="live-status"][data-state="open"]').waitFor({ timeout: 30000 });
    const loadedRows = await loadPages(page, opt.pages);
    await page.evaluate(() => window.scrollTo(0, 0));
    log(`${loadedRows} rows loaded`);
    await sleep(1500); // Let the first counts and reconciliation settle.
    log(`idle window: ${opt.idleSeconds} s`);
    const idle = summarize(await measureWindow(page, opt.idleSeconds));

    const sseBefore = await page.evaluate(() => ({ ...window.__bench.sse }));
    let cdp = null;
    if (opt.profile) {
      cdp = await context.newCDPSession(page);
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
      await cdp.send('Profiler.start');
    }
    log(`stream window: ${opt.rate}/s for ${opt.seconds} s`);
    const streamRaw = await measureWindow(page, opt.seconds, () => streamUpdates(api, open, hotIds, opt));
    const stream = summarize(streamRaw);
    const upd = streamRaw.extra;
    let profileTop = null;
    if (cdp) {
      const { profile } = await cdp.send('Profiler.stop');
      fs.writeFileSync(opt.profile, JSON.stringify(profile));
      profileTop = topFunctions(profile);
      await cdp.detach();
    }

    // Did the updates reach the page? SSE entries, and the visible rows against the server.
    await sleep(2500); // The stream's fan-out plus one frame; throttled reads at most 1 s.
    const sseAfter = await page.evaluate(() => ({ ...window.__bench.sse }));
    const sseUpdated = sseAfter.updated - sseBefore.updated;
    const shown = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll('[data-testid="incident-row"]')]
      .map((tr) => [tr.getAttribute('data-id'), Number(tr.querySelector('[data-testid="impact-badge"]')?.getAttribute('data-impact'))])));
    let checked = 0;
    let agree = 0;
    const disagree = [];
    for (const id of upd.hotChanged) {
      const r = await api.call('GET', `/incidents/${encodeURIComponent(id)}`);
      if (r.status !== 200) throw new Error(`GET /incidents/${id} → ${r.status}`);
      checked += 1;
      if (shown[id] === Number(r.json.impact)) agree += 1;
      else disagree.push(`${id}: page ${shown[id]}, server ${r.json.impact}`);
    }
    if (problems.length) throw new Error(problems.join('; '));
    await page.close();

    // --- Report -------------------------------------------------------------------------
    const version = browser.version();
    const fp = { median: median(firstPaint), max: max(firstPaint), rowsMedian: median(firstRows), base: median(baseline) };
    const yes = (ok) => (ok ? 'yes' : '**no**');
    const firstOk = fp.max < TARGET_FIRST_PAGE_MS;
    const frameOk = stream.gapP99 <= TARGET_FRAME_P99_MS;
    const inputOk = stream.inputP99 <= TARGET_INPUT_P99_MS;
    const lines = [];
    lines.push('# Dashboard benchmark (#/incidents)');
    lines.push('');
    lines.push(`${new Date().toISOString()}: ${os.cpus().length} cores (${os.cpus()[0]?.model?.trim() || '?'}), Chromium ${version} headless,`);
    lines.push(`Node ${process.version}, ${open.length} open incidents, ${loadedRows} rows loaded in the page, updates ${opt.rate}/s for ${opt.seconds} s (${Math.round(opt.hot * 100)} % to loaded rows), idle window ${opt.idleSeconds} s.`);
    lines.push('');
    lines.push('| measurement | value | baseline (same run) | ratio | target | met? |');
    lines.push('|---|---|---|---|---|---|');
    lines.push(`| first page painted, median of ${opt.runs} loads | ${ms(fp.median)} | fetch + JSON of the page: ${ms(fp.base)} | ${ratio(fp.median, fp.base)} | < ${TARGET_FIRST_PAGE_MS} ms | ${yes(fp.median < TARGET_FIRST_PAGE_MS)} |`);
    lines.push(`| first page painted, max | ${ms(fp.max)} | | ${ratio(fp.max, fp.base)} | < ${TARGET_FIRST_PAGE_MS} ms | ${yes(firstOk)} |`);
    lines.push(`| first page rows in the DOM, median | ${ms(fp.rowsMedian)} | | ${ratio(fp.rowsMedian, fp.base)} | | |`);
    lines.push(`| frame gap p50 (stream vs idle) | ${ms(stream.gapP50)} | ${ms(idle.gapP50)} | ${ratio(stream.gapP50, idle.gapP50)} | | |`);
    lines.push(`| frame gap p99 | ${ms(stream.gapP99)} | ${ms(idle.gapP99)} | ${ratio(stream.gapP99, idle.gapP99)} | ≤ ${TARGET_FRAME_P99_MS} ms | ${yes(frameOk)} |`);
    lines.push(`| frame gap max | ${ms(stream.gapMax)} | ${ms(idle.gapMax)} | ${ratio(stream.gapMax, idle.gapMax)} | | |`);
    lines.push(`| frames per second | ${(stream.frames / stream.seconds).toFixed(1)} | ${(idle.frames / idle.seconds).toFixed(1)} | ${ratio(stream.frames / stream.seconds, idle.frames / idle.seconds)} | | |`);
    lines.push(`| long tasks (count, total) | ${stream.longCount}, ${ms(stream.longMs)} | ${idle.longCount}, ${ms(idle.longMs)} | ${ratio(stream.longMs / stream.seconds, idle.longMs / idle.seconds)} (ms/s) | | |`);
    lines.push(`| input → next frame p50 (click) | ${ms(stream.inputP50)} | ${ms(idle.inputP50)} | ${ratio(stream.inputP50, idle.inputP50)} | | |`);
    lines.push(`| input → next frame p99 (n=${stream.inputN}/${idle.inputN}) | ${ms(stream.inputP99)} | ${ms(idle.inputP99)} | ${ratio(stream.inputP99, idle.inputP99)} | ≤ ${TARGET_INPUT_P99_MS} ms | ${yes(inputOk)} |`);
    lines.push(`| input → next frame max | ${ms(stream.inputMax)} | ${ms(idle.inputMax)} | ${ratio(stream.inputMax, idle.inputMax)} | | |`);
    lines.push(`| click + read back from Node p50 / p99 | ${ms(stream.rttP50)} / ${ms(stream.rttP99)} | ${ms(idle.rttP50)} / ${ms(idle.rttP99)} | ${ratio(stream.rttP99, idle.rttP99)} (p99) | | |`);
    lines.push('');
    lines.push(`Updates: ${upd.sent} sent in ${upd.seconds.toFixed(1)} s (${(upd.sent > 1 ? (upd.sent - 1) / upd.seconds : upd.sent).toFixed(1)}/s, timer at most ${upd.maxLateMs.toFixed(1)} ms late), ${upd.ok} ok, ${upd.failed} failed${upd.errors.length ? ` (${upd.errors.join('; ')})` : ''}; PATCH p50 ${ms(pct(upd.latencies, 50))}, p99 ${ms(pct(upd.latencies, 99))}.`);
    lines.push(`Reached the page: ${sseUpdated} "Incident Updated" entries over SSE (of ${upd.ok}); ${agree} of ${checked} changed loaded rows show the server's impact.`);
    lines.push(`Responsive (p99 frame gap ≤ ${TARGET_FRAME_P99_MS} ms and p99 input latency ≤ ${TARGET_INPUT_P99_MS} ms under the stream): ${frameOk && inputOk ? 'yes' : '**no**'}. First page < ${TARGET_FIRST_PAGE_MS} ms in every load: ${firstOk ? 'yes' : '**no**'}.`);
    lines.push('');
    lines.push(`First-page loads (ms since navigation start: DOMContentLoaded / list request start → end / rows / painted): ${details.map((d) => `${d.domContentLoaded.toFixed(0)} / ${d.listStart.toFixed(0)}→${d.listEnd.toFixed(0)} / ${d.rowsAt.toFixed(0)} / ${d.paintAt.toFixed(0)}`).join('; ')}.`);
    if (profileTop) {
      lines.push('');
      lines.push(`CPU profile of the stream window (${opt.profile}; numbers above measured under the profiler), self time, total ${profileTop.total.toFixed(0)} ms:`);
      lines.push('');
      lines.push('| function | self ms |');
      lines.push('|---|---|');
      for (const [k, v] of profileTop.top) lines.push(`| \`${k}\` | ${v.toFixed(1)} |`);
    }
    if (firstProfileTop) {
      lines.push('');
      lines.push(`CPU profile of one extra first-page load (navigation to painted rows), self time, total ${firstProfileTop.total.toFixed(0)} ms:`);
      lines.push('');
      lines.push('| function | self ms |');
      lines.push('|---|---|');
      for (const [k, v] of firstProfileTop.top) lines.push(`| \`${k}\` | ${v.toFixed(1)} |`);
    }
    console.log(lines.join('\n'));
    if (opt.row) {
      fs.writeFileSync(opt.row, `| dashboard \`#/incidents\` (${open.length} open, ${opt.rate} updates/s; \`bench/dashboard_bench.mjs\`) | – | first page ${fp.median.toFixed(0)} (median), ${fp.max.toFixed(0)} (max) | frame gap ${stream.gapP99.toFixed(1)}, input ${stream.inputP99.toFixed(1)} (under the stream) | first page ${ratio(fp.median, fp.base)} its fetch; frame gap ${ratio(stream.gapP99, idle.gapP99)} idle | first page < ${TARGET_FIRST_PAGE_MS} ms: ${firstOk ? 'yes' : 'no'}; p99s ≤ 100 ms: ${frameOk && inputOk ? 'yes' : 'no'} |\n`);
    }

    // Errors, not missed targets.
    if (upd.ok === 0) throw new Error('no update succeeded');
    if (sseUpdated === 0) throw new Error('no update reached the page over the stream');
    if (disagree.length) throw new Error(`loaded rows disagree with the server: ${disagree.slice(0, 5).join('; ')}`);
    if (!stream.inputN || !idle.inputN) throw new Error('no input latency measured');
  } finally {
    await cleanup();
  }
}

main().then(() => process.exit(0), (err) => {
  console.error(`dashboard_bench: ${err.stack || err.message}`);
  process.exit(1);
});
