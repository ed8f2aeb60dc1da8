// vpcpeer console: live updates. Follows GET /_vpcpeer/events (server-sent events: one `change`
// event with the command log's sequence number, the world's version and the emulator's clock
// each time the server's writer commits) and redraws on each event that moved something,
// through console.js's refresh (one at a time; a burst of events costs at most one refresh
// beyond the one under way). Without an admin token the stream is read with EventSource; with
// one (EventSource cannot send a header) with fetch, same stream, same events. Only when the
// stream fails does it poll GET /_vpcpeer/log and /_vpcpeer/clock every POLL_MS, and it tries
// the stream again every RETRY_MS meanwhile. Between events the clock shown runs on from the
// last one, and a pending request's expiry time brings a refresh of its own.
// stats.live (window.vpcpeerConsole.stats.live) and body[data-live] say which way it follows;
// `/?live=poll` makes it poll from the start.
'use strict';

(function () {
  const POLL_MS = 500;
  const RETRY_MS = 5000;
  const c = window.vpcpeerConsole;
  const $ = (id) => document.getElementById(id);
  const live = { mode: 'connecting', events: 0, event_refreshes: 0, polls: 0, errors: 0 };
  c.stats.live = live;

  let seen = null;        // { seq, version } the map reflects
  let skew = 0;           // the emulator's clock minus this machine's, in ms
  let closeStream = null; // closes the open stream
  let pollTimer = null;
  let expiryTimer = null;

  function setMode(mode, text, ok) {
    live.mode = mode;
    document.body.dataset.live = mode;
    $('live').textContent = text;
    $('live').className = ok ? 'ok' : 'err';
  }

  // Redraws, then arms the expiry timer for the next pending request.
  async function redraw(cause) {
    const at = Date.now();
    await c.refresh();
    c.stats.lastChange = { seen_at: at, drawn_at: Date.now(), cause };
    armExpiry();
  }

  function armExpiry() {
    clearTimeout(expiryTimer);
    const next = c.nextExpiry();
    if (next === null) return;
    const wait = Math.max(0, next - (Date.now() + skew)) + 50;
    // setTimeout takes at most 2^31-1 ms: farther expiries are armed again by later refreshes.
    if (wait < 2147483647) expiryTimer = setTimeout(() => redraw('expiry').catch(() => {}), wait);
  }

  function tickClock() {
    const ms = Date.now() + skew;
    c.showClock(new Date(ms).toISOString(), ms);
  }

  // --- the event stream ------------------------------------------------------------------------
  function onEvent(ev) {
    live.events += 1;
    document.body.dataset.liveEvents = String(live.events);
    skew = ev.now_ms - Date.now();
    c.showClock(ev.now, ev.now_ms);
    if (live.mode !== 'events') {
      stopPolling();
      setMode('events', '', true);
    }
    $('live').textContent = 'live · log #' + ev.seq;
    const moved = !seen || seen.seq !== ev.seq || seen.version !== ev.version;
    const first = seen === null;
    seen = { seq: ev.seq, version: ev.version };
    // The first event after the first drawing moved nothing unless the log did meanwhile.
    const mark = c.logMark();
    if (first && mark && mark[1] === ev.seq) { armExpiry(); return; }
    if (moved) {
      live.event_refreshes += 1;
      redraw('event').catch(() => {});
    } else {
      armExpiry(); // the clock moved: an expiry may be nearer
    }
  }

  function onStreamError(e) {
    if (closeStream) closeStream();
    closeStream = null;
    live.errors += 1;
    setMode('polling', 'polling (' + e.message + ')', false);
    startPolling();
    setTimeout(connect, RETRY_MS);
  }

  // Reads the SSE wire format from a fetch body: blocks separated by a blank line, `event:` and
  // `data:` fields, comments (`:`) ignored.
  async function readStream(body, signal) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done || signal.aborted) throw new Error('the event stream ended');
      buf += value.replace(/\r\n?/g, '\n');
      let end;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        let name = 'message';
        const data = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) name = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
        }
        if (name === 'change' && data.length) onEvent(JSON.parse(data.join('\n')));
      }
    }
  }

  function connect() {
    if (closeStream) return;
    const token = sessionStorage.getItem('vpcpeer-admin-token');
    if (!token) {
      const es = new EventSource('/_vpcpeer/events');
      es.addEventListener('change', (m) => onEvent(JSON.parse(m.data)));
      es.onerror = () => onStreamError(new Error('the event stream failed'));
      closeStream = () => es.close();
      live.transport = 'eventsource';
      return;
    }
    const ctl = new AbortController();
    closeStream = () => ctl.abort();
    live.transport = 'fetch';
    (async () => {
      const r = await fetch('/_vpcpeer/events', {
        headers: { Authorization: 'Bearer ' + token, Accept: 'text/event-stream' },
        cache: 'no-store', credentials: 'omit', signal: ctl.signal,
      });
      if (r.status === 401) $('token-bar').hidden = false;
      if (!r.ok || !r.body) throw new Error('the event stream answered ' + r.status);
      await readStream(r.body, ctl.signal);
    })().catch((e) => { if (!ctl.signal.aborted) onStreamError(e); });
  }

  // --- the fallback: polling -------------------------------------------------------------------
  function stopPolling() {
    clearTimeout(pollTimer);
    pollTimer = null;
  }

  function startPolling() {
    if (pollTimer === null) pollTimer = setTimeout(poll, POLL_MS);
  }

  async function poll() {
    live.polls += 1;
    try {
      const mark = c.logMark();
      const since = mark ? mark[1] : 0;
      const [log, clock] = await Promise.all([
        c.api('GET', '/_vpcpeer/log?limit=1&since=' + since),
        c.api('GET', '/_vpcpeer/clock'),
      ]);
      skew = clock.now_ms - Date.now();
      c.showClock(clock.now, clock.now_ms);
      const next = c.nextExpiry();
      const changed = !mark || log.first !== mark[0] || log.last !== mark[1];
      if (changed || (next !== null && clock.now_ms >= next)) await redraw('poll');
      if (live.mode === 'polling') $('live').textContent = 'polling · log #' + log.last;
    } catch (e) {
      $('live').textContent = 'not connected: ' + e.message;
      $('live').className = 'err';
    }
    if (pollTimer !== null && live.mode === 'polling') pollTimer = setTimeout(poll, POLL_MS);
  }

  // A token typed in the bar: follow the stream with it.
  $('token-form').addEventListener('submit', () => {
    if (closeStream) closeStream();
    closeStream = null;
    connect();
  });

  setInterval(() => { if (live.mode === 'events') tickClock(); }, 1000);
  // `/?live=poll` polls from the start (to compare the two ways; the README's figures).
  const askedToPoll = new URLSearchParams(location.search).get('live') === 'poll';
  c.ready.finally(() => {
    if (!askedToPoll) return connect();
    setMode('polling', 'polling (asked by ?live=poll)', true);
    startPolling();
  });
})();
