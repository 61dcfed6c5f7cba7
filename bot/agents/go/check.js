// The browser check of the /go page (issue 17; the routes are bot/agents/browser-check.ts): with
// nothing downloaded, measure what this browser can of the path Teams takes, through the same
// proxy and network, and send it to the chat as a reconnect.report/v1 from the browser.
// Probes only what the bot's plan names (the case's catalog); no URL carries anything but a
// catalog host. Every probe runs at once under one deadline, so the whole check takes seconds.
// A probe that fails is a failure, never a pass: the page cannot tell why a request failed, and
// says only that it did.

(() => {
  var code = null;
  var $ = (id) => document.getElementById(id);
  var now = () => performance.now();
  var phases = () => ({ dns: 0, connect: 0, proxy: 0, tls: 0, firstByte: 0 });
  var originOf = (e) => 'https://' + e.host + (e.port === 443 ? '' : ':' + e.port);

  function probe(kind, target, t0, outcome) {
    var r = { id: kind + ':' + target, kind: kind, target: target, durationMs: Math.round(now() - t0) };
    r.status = outcome.status;
    r.phases = outcome.phases || phases();
    r.detail = outcome.detail || {};
    if (outcome.failure) r.failure = outcome.failure;
    return r;
  }

  /** Phases from Resource Timing, where the server allows it (Timing-Allow-Origin); else zeros. */
  function timingOf(url) {
    var all = performance.getEntriesByName(url);
    var t = all[all.length - 1];
    if (!t || !(t.responseStart > 0) || !(t.connectEnd > 0)) return null;
    var span = (a, b) => Math.max(0, Math.round(b - a));
    return {
      dns: span(t.domainLookupStart, t.domainLookupEnd),
      connect: span(t.connectStart, t.secureConnectionStart > 0 ? t.secureConnectionStart : t.connectEnd),
      proxy: 0,
      tls: t.secureConnectionStart > 0 ? span(t.secureConnectionStart, t.connectEnd) : 0,
      firstByte: span(t.requestStart, t.responseStart),
    };
  }

  function probeFetch(e, deadline) {
    var url = originOf(e) + '/';
    var t0 = now();
    var ctl = new AbortController();
    var timer = setTimeout(() => ctl.abort(), deadline);
    // no-cors: an opaque answer is still an answer from the server; a failure is a TypeError.
    return fetch(url, {
      mode: 'no-cors',
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
      signal: ctl.signal,
    })
      .then(
        () => null,
        (err) => err || new Error('failed'),
      )
      .then((err) => {
        clearTimeout(timer);
        var timing = timingOf(url);
        var detail = { resourceTiming: Boolean(timing) };
        if (!err)
          return probe('browser-fetch', e.host + ':' + e.port, t0, {
            status: 'pass',
            phases: timing,
            detail,
          });
        var timedOut = ctl.signal.aborted;
        return probe('browser-fetch', e.host + ':' + e.port, t0, {
          status: 'fail',
          detail,
          failure: {
            phase: 'connect',
            code: timedOut ? 'timeout' : 'fetch_failed',
            detail: timedOut
              ? 'No answer from ' + url + ' within ' + deadline / 1000 + ' s.'
              : 'The browser could not reach ' + url + ' (it does not say why).',
          },
        });
      });
  }

  function probeWebSocket(e, deadline) {
    var target = e.host + ':' + e.port;
    var t0 = now();
    return new Promise((resolve) => {
      var ws = null;
      var done = false;
      var finish = (outcome) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        try {
          if (ws) ws.close();
        } catch (_) {}
        resolve(probe('browser-websocket', target, t0, outcome));
      };
      var timer = setTimeout(
        () =>
          finish({
            status: 'fail',
            failure: {
              phase: 'connect',
              code: 'timeout',
              detail: 'The WebSocket did not open within ' + deadline / 1000 + ' s.',
            },
          }),
        deadline,
      );
      try {
        ws = new WebSocket('wss://' + (e.port === 443 ? e.host : target) + (e.path || '/'));
      } catch (_) {
        finish({
          status: 'error',
          failure: { phase: 'setup', code: 'internal', detail: 'This browser refused to open a WebSocket.' },
        });
        return;
      }
      ws.onopen = () => finish({ status: 'pass' });
      ws.onclose = (ev) =>
        finish({
          status: 'fail',
          detail: { closeCode: ev.code },
          failure: {
            phase: 'response',
            code: 'fetch_failed',
            detail: 'The WebSocket closed before it opened (code ' + ev.code + ').',
          },
        });
    });
  }

  /** ICE gathering against the media host's STUN ports: a server-reflexive candidate, or none. */
  function probeIce(m, deadline) {
    var target = m.host + ':' + m.ports.join(',');
    var t0 = now();
    return new Promise((resolve) => {
      var pc;
      var candidates = 0;
      var srflx = 0;
      var done = false;
      try {
        pc = new RTCPeerConnection({
          iceServers: [{ urls: m.ports.map((p) => 'stun:' + m.host + ':' + p) }],
        });
      } catch (_) {
        resolve(
          probe('browser-ice', target, t0, {
            status: 'error',
            failure: { phase: 'setup', code: 'internal', detail: 'WebRTC is not available in this browser.' },
          }),
        );
        return;
      }
      var finish = () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        pc.close();
        var detail = { candidates, srflx };
        if (srflx > 0) return resolve(probe('browser-ice', target, t0, { status: 'pass', detail }));
        resolve(
          probe('browser-ice', target, t0, {
            status: 'fail',
            detail,
            failure: {
              phase: 'response',
              code: 'no_answer_udp',
              detail: 'No STUN answer on UDP ' + m.ports.join(', ') + ': no server-reflexive candidate.',
            },
          }),
        );
      };
      var timer = setTimeout(finish, deadline);
      pc.onicecandidate = (ev) => {
        if (!ev.candidate) return finish();
        candidates++;
        if (ev.candidate.type === 'srflx' || / typ srflx /.test(ev.candidate.candidate)) {
          srflx++;
          finish();
        }
      };
      pc.onicegatheringstatechange = () => {
        if (pc.iceGatheringState === 'complete') finish();
      };
      pc.createDataChannel('reconnect');
      pc.createOffer()
        .then((offer) => pc.setLocalDescription(offer))
        .catch(finish);
    });
  }

  /** The page's clock against the bot's time, taken half a round trip before the answer came. */
  function clockProbe(plan, sent) {
    var t0 = now();
    var offsetSeconds = Math.round((plan.botTime + sent.rttMs / 2 - sent.pageTime) / 100) / 10;
    var size = Math.abs(offsetSeconds);
    var detail = { offsetSeconds, rttMs: Math.round(sent.rttMs) };
    if (size <= 60) return probe('browser-clock', 'bot', t0, { status: 'pass', detail });
    return probe('browser-clock', 'bot', t0, {
      status: size > 300 ? 'fail' : 'warn',
      detail,
      failure: {
        phase: 'response',
        code: 'skew',
        detail:
          'This computer’s clock is ' +
          Math.round(size) +
          ' s ' +
          (offsetSeconds > 0 ? 'behind' : 'ahead') +
          '.',
      },
    });
  }

  function environment() {
    var c = navigator.connection;
    var env = {
      online: navigator.onLine !== false,
      userAgent: String(navigator.userAgent || '').slice(0, 300),
    };
    if (c) {
      env.connection = {};
      if (typeof c.type === 'string') env.connection.type = c.type;
      if (typeof c.effectiveType === 'string') env.connection.effectiveType = c.effectiveType;
      if (typeof c.rtt === 'number') env.connection.rttMs = c.rtt;
      if (typeof c.downlink === 'number') env.connection.downlinkMbps = c.downlink;
    }
    return env;
  }

  function osName() {
    var p = String(navigator.userAgentData?.platform || navigator.userAgent || '');
    if (/win/i.test(p)) return 'windows';
    if (/mac/i.test(p)) return 'macos';
    if (/linux|x11|cros/i.test(p)) return 'linux';
    return 'unknown';
  }

  function post(path, body) {
    var t0 = now();
    return fetch(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    }).then((res) =>
      res
        .json()
        .catch(() => ({ ok: false, message: 'The helpdesk server answered ' + res.status + '.' }))
        .then((json) => ({ status: res.status, json, rttMs: now() - t0, pageTime: Date.now() })),
    );
  }

  function show(report, sent) {
    var list = $('browser-results');
    list.textContent = '';
    report.probes.forEach((p) => {
      var li = document.createElement('li');
      li.className = p.status === 'pass' ? 'ok' : 'bad';
      var what =
        p.kind === 'browser-fetch'
          ? 'Reach ' + p.target.split(':')[0]
          : p.kind === 'browser-websocket'
            ? 'Live connection (WebSocket) to ' + p.target.split(':')[0]
            : p.kind === 'browser-ice'
              ? 'Call media (UDP ' + p.target.split(':').pop() + ')'
              : p.kind === 'browser-clock'
                ? 'Clock (off by ' + Math.abs(p.detail.offsetSeconds) + ' s)'
                : 'Online';
      li.textContent =
        (p.status === 'pass' ? '✓ ' : '✗ ') + what + (p.failure ? ': ' + p.failure.detail : '');
      list.appendChild(li);
    });
    var state = $('browser-check');
    state.setAttribute('data-state', sent ? 'sent' : 'failed');
  }

  function run() {
    var button = $('browser-run');
    var status = $('browser-status');
    button.disabled = true;
    status.className = '';
    status.textContent = 'Checking from this browser…';
    $('browser-check').setAttribute('data-state', 'running');
    var started = now();
    var startedAt = new Date().toISOString();
    post('/go/browser/plan', { code })
      .then((sent) => {
        var plan = sent.json;
        if (!plan.ok) throw new Error(plan.message || 'The check could not start.');
        var deadline = plan.deadlineMs || 4000;
        var jobs = plan.endpoints.map((e) => probeFetch(e, deadline));
        plan.endpoints
          .filter((e) => e.purpose === 'websocket')
          .forEach((e) => {
            jobs.push(probeWebSocket(e, deadline));
          });
        plan.media.forEach((m) => {
          jobs.push(probeIce(m, deadline));
        });
        return Promise.all(jobs).then((probes) => {
          // A WebSocket refused where HTTPS to the same server works: something in the path refuses the upgrade.
          probes.forEach((p) => {
            if (p.kind !== 'browser-websocket' || p.status !== 'fail' || p.failure.code !== 'fetch_failed')
              return;
            var https = probes.find((q) => q.kind === 'browser-fetch' && q.target === p.target);
            if (https && https.status === 'pass') {
              p.failure.code = 'upgrade_refused';
              p.failure.detail =
                'HTTPS to this server works, but the WebSocket upgrade is refused on the way.';
              p.detail.inferred = true;
            }
          });
          probes.push(clockProbe(plan, sent));
          var env = environment();
          probes.push(
            probe('browser-env', 'page', now(), {
              status: env.online ? 'pass' : 'fail',
              detail: { online: env.online },
              failure: env.online
                ? undefined
                : { phase: 'setup', code: 'not_run', detail: 'The browser says it is offline.' },
            }),
          );
          var report = {
            schema: 'reconnect.report/v1',
            source: 'browser',
            agent: {
              version: 'browser-check/1',
              os: osName(),
              osVersion: '',
              runtime: String(navigator.userAgent || '').slice(0, 120),
            },
            cloud: plan.cloud,
            startedAt,
            durationMs: Math.round(now() - started),
            environment: { proxy: { source: 'none' }, resolvers: [], browser: env },
            endpoints: plan.endpoints.map((e) => ({
              host: e.host,
              port: e.port,
              purpose: e.purpose,
              required: true,
            })),
            publicResolvers: [],
            probes,
            findings: [],
            verdict: 'inconclusive',
          };
          return post('/go/browser/report', { code, ticket: plan.ticket, report }).then((answer) => {
            var ok = answer.status === 202;
            show(report, ok);
            $('browser-check').setAttribute('data-ms', String(Math.round(now() - started)));
            status.className = ok ? 'ok' : 'error';
            status.textContent = ok
              ? 'Done. The results are in the chat on your phone. A browser cannot see certificates, DNS answers or proxy settings: for those, download the checker below.'
              : answer.json.message || 'The results could not be sent.';
          });
        });
      })
      .catch((err) => {
        $('browser-check').setAttribute('data-state', 'failed');
        status.className = 'error';
        status.textContent = err?.message ? err.message : 'The check could not run.';
      })
      .then(() => {
        button.disabled = false;
      });
  }

  document.addEventListener('reconnect:code', (ev) => {
    code = ev.detail;
    $('browser-check').hidden = false;
  });
  document.addEventListener('DOMContentLoaded', () => {
    $('browser-run').addEventListener('click', run);
  });
})();
