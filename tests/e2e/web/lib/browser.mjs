// Chromium through playwright-core: launch, console-error tracking, screenshots.
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

export function chromiumPath() {
  return process.env.CHROMIUM || '/usr/bin/chromium';
}

export async function launch() {
  const executablePath = chromiumPath();
  if (!fs.existsSync(executablePath)) {
    throw new Error(`Chromium not found at ${executablePath}: install it (apt-get install chromium) or set CHROMIUM`);
  }
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}

// Failed API calls the dashboard expects and handles are logged by Chromium as
// "Failed to load resource: the server responded with a status of 401 (...)".
// These, on /api/v1/ URLs only, are part of the scenarios (no session yet, a
// wrong password, a validation error); anything else is a defect.
const EXPECTED_HTTP = /^Failed to load resource: the server responded with a status of (400|401|404|409|412|429) /;

export class ConsoleWatch {
  constructor() {
    this.problems = [];
  }

  attach(page, name) {
    page.on('console', (msg) => {
      const type = msg.type();
      if (type !== 'error' && type !== 'warning') return;
      const text = msg.text();
      const url = msg.location()?.url || '';
      if (type === 'error' && EXPECTED_HTTP.test(text) && url.includes('/api/v1/')) return;
      this.problems.push(`[${name}] console.${type}: ${text} (${url})`);
    });
    page.on('pageerror', (err) => {
      this.problems.push(`[${name}] uncaught: ${err.message}\n${err.stack || ''}`);
    });
    page.on('crash', () => this.problems.push(`[${name}] page crashed`));
    return page;
  }
}

export class Shots {
  constructor(dir) {
    this.dir = dir;
    fs.mkdirSync(dir, { recursive: true });
  }

  async take(page, name) {
    const file = path.join(this.dir, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true, timeout: 10000 });
    return file;
  }
}

// Polls `fn` (async, truthy when done) every 100 ms until `timeout`.
export async function until(fn, { timeout = 10000, message = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${message}${last ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
