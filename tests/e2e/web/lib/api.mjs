// A small REST client with the bearer API key, for seeding and checking data.
export class Api {
  constructor(base, key) {
    this.base = base;
    this.key = key;
  }

  async call(method, path, body) {
    const res = await fetch(this.base + path, {
      method,
      headers: { Authorization: `Bearer ${this.key}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    return { status: res.status, json, headers: res.headers };
  }

  // Calls and checks the status; returns the body.
  async ok(method, path, body, expected = [200, 201, 202, 204]) {
    const r = await this.call(method, path, body);
    const want = Array.isArray(expected) ? expected : [expected];
    if (!want.includes(r.status)) {
      throw new Error(`${method} ${path} → ${r.status} (wanted ${want.join('/')}): ${JSON.stringify(r.json)}`);
    }
    return r.json;
  }

  get(path) { return this.ok('GET', path, undefined, 200); }
  post(path, body, expected = [200, 201, 202]) { return this.ok('POST', path, body, expected); }
  patch(path, body) { return this.ok('PATCH', path, body, 200); }
}
