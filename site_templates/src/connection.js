// Live updates: a websocket to the sidecar (docs/live-protocol.md), and polling of manifest.json
// whenever the socket is not open (a proxy that blocks websockets, the sidecar down). The socket is
// retried with exponential backoff and jitter, 1 s doubling up to 30 s; when it opens again, polling stops.

const BACKOFF_FIRST_MS = 1000;
const BACKOFF_MAX_MS = 30000;
const GOING_AWAY = 1001;  // the sidecar restarts: come back soon, but not all viewers at once

/** Delay before reconnect attempt `attempt` (0, 1, 2, …): 0.5–1.5 × the doubling step, at most 30 s. */
export function backoffDelay(attempt, random = Math.random) {
  const step = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** Math.min(attempt, 10));
  return Math.round(Math.min(BACKOFF_MAX_MS, step * (0.5 + random())));
}

/** The first wait after the sidecar said it is going away: 0.5–3 s. */
export function goingAwayDelay(random = Math.random) {
  return Math.round(500 + random() * 2500);
}

export function socketUrl(path, loc = location) {
  const url = new URL(path, loc.href);
  url.protocol = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

/**
 * onManifest(manifest, source) gets every manifest that arrives ('hello', 'update' or 'poll');
 * onState(state) gets 'connected' | 'polling' | 'disconnected'.
 */
export class LiveConnection {
  constructor({ url, pollMs, fetchManifest, onManifest, onState }) {
    Object.assign(this, { url, pollMs, fetchManifest, onManifest, onState });
    this.socket = null;
    this.attempt = 0;
    this.reconnectTimer = null;
    this.pollTimer = null;
    this.pollRun = null;
    this.stopped = true;
    this.state = null;
    this.handleOnline = () => this.reconnectNow();
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    window.addEventListener('online', this.handleOnline);
    this.setState('disconnected');
    this.connect();
  }

  stop() {
    this.stopped = true;
    window.removeEventListener('online', this.handleOnline);
    clearTimeout(this.reconnectTimer);
    this.stopPolling();
    if (this.socket) {
      const socket = this.socket;
      this.socket = null;
      socket.onclose = null;
      socket.close();
    }
  }

  setState(state) {
    if (state === this.state) return;
    this.state = state;
    this.onState(state);
  }

  connect() {
    clearTimeout(this.reconnectTimer);
    let socket;
    try {
      socket = new WebSocket(this.url);
    } catch {
      this.lost(null);
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.stopPolling();
      this.setState('connected');
    };
    socket.onmessage = (event) => this.receive(event.data);
    socket.onclose = (event) => {
      if (this.socket === socket) this.socket = null;
      this.lost(event.code);
    };
  }

  receive(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      console.warn('live: ignoring a message that is not JSON');
      return;
    }
    if (message?.type === 'hello') this.attempt = 0;  // a working connection resets the backoff
    if ((message?.type === 'hello' || message?.type === 'update')
        && message.manifest && typeof message.manifest === 'object') {
      this.onManifest(message.manifest, message.type);
    }
  }

  lost(code) {
    if (this.stopped) return;
    if (this.state === 'connected') this.setState('disconnected');
    this.startPolling();
    const delay = code === GOING_AWAY && this.attempt === 0 ? goingAwayDelay() : backoffDelay(this.attempt);
    this.attempt += 1;
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  reconnectNow() {
    if (this.stopped || this.socket) return;
    this.attempt = 0;
    this.connect();
  }

  startPolling() {
    if (this.pollRun) return;
    const run = {};  // identifies this polling loop, so a stopped loop never reschedules itself
    this.pollRun = run;
    const active = () => this.pollRun === run;
    // Poll at once: it catches up on whatever changed while the socket was down.
    const tick = async () => {
      try {
        const manifest = await this.fetchManifest();
        if (!active()) return;
        const wasUnreachable = this.state === 'disconnected';
        this.setState('polling');
        this.onManifest(manifest, 'poll');
        // The server answers again: try the socket now rather than at the end of a long backoff.
        if (wasUnreachable) this.reconnectNow();
      } catch {
        if (active()) this.setState('disconnected');
      }
      if (active()) this.pollTimer = setTimeout(tick, this.pollMs);
    };
    this.pollTimer = setTimeout(tick, 0);
  }

  stopPolling() {
    clearTimeout(this.pollTimer);
    this.pollTimer = null;
    this.pollRun = null;
  }
}
