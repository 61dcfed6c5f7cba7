// The /go page (bot/agents/go.ts): check the typed code without using it up, pick the download
// for this OS and CPU, and say what the OS will ask on the way. Plain ES2019 and DOM calls, so
// every browser of the last years runs it; no framework, no CDN, nothing inline (strict CSP).

var LABELS = {
  'windows-x64': 'Windows (Intel or AMD, 64-bit)',
  'windows-arm64': 'Windows on Arm (Snapdragon, Surface Pro X)',
  'macos-arm64': 'Mac with an Apple chip (M1, M2, M3, M4…)',
  'macos-x64': 'Mac with an Intel processor',
  'linux-x64': 'Linux (Intel or AMD, 64-bit)',
  'linux-arm64': 'Linux on Arm (64-bit)',
};

/** OS and CPU from the user agent string alone (Safari, Firefox, older browsers). */
function fromUserAgent(ua) {
  var arm = /\b(arm64|aarch64|armv8)\b/i.test(ua);
  if (/Windows NT/i.test(ua)) return { os: 'windows', arch: arm ? 'arm64' : 'x64', sure: true };
  if (/iPhone|iPad|iPod|Android/i.test(ua)) return { os: 'phone', arch: null, sure: true };
  // Every Mac browser says "Intel Mac OS X", Apple silicon too: the CPU stays a guess.
  if (/Macintosh|Mac OS X/i.test(ua)) return { os: 'macos', arch: 'arm64', sure: false };
  if (/Linux|CrOS/i.test(ua)) return { os: 'linux', arch: arm ? 'arm64' : 'x64', sure: !/CrOS/.test(ua) };
  return { os: null, arch: null, sure: false };
}

/** OS and CPU from User-Agent Client Hints (Chromium browsers), else from the user agent. */
function detect() {
  var guess = fromUserAgent(navigator.userAgent || '');
  var data = navigator.userAgentData;
  if (!data || typeof data.getHighEntropyValues !== 'function') return Promise.resolve(guess);
  return data
    .getHighEntropyValues(['architecture', 'bitness', 'platform'])
    .then((v) => {
      var platform = String(v.platform || data.platform || '').toLowerCase();
      var arch = v.architecture === 'arm' ? 'arm64' : v.architecture === 'x86' ? 'x64' : guess.arch;
      if (platform === 'windows') return { os: 'windows', arch: arch || 'x64', sure: true };
      if (platform === 'macos') return { os: 'macos', arch: arch || 'arm64', sure: Boolean(v.architecture) };
      if (platform === 'linux') return { os: 'linux', arch: arch || 'x64', sure: true };
      if (platform === 'android' || platform === 'ios') return { os: 'phone', arch: null, sure: true };
      return guess;
    })
    .catch(() => guess);
}

var STEPS = {
  windows: [
    'Open the downloaded file: click it in the browser’s downloads list, or find it in your Downloads folder.',
    'If Windows says “Windows protected your PC”, click <b>More info</b>, then <b>Run anyway</b>. (This shows for programs that Windows does not know yet.)',
    'A black window opens. Read it, and answer its questions there.',
  ],
  macos: [
    'Open the downloaded file. Safari unpacks the ZIP by itself; otherwise double-click the ZIP in your Downloads folder.',
    'Right-click (or Control-click) the program <b>FILE</b> and choose <b>Open</b>, then <b>Open</b> again.',
    'If the Mac says it cannot check the program, open <b>System Settings → Privacy &amp; Security</b>, scroll down and click <b>Open Anyway</b>.',
    'A Terminal window opens. Read it, and answer its questions there.',
  ],
  linux: [
    'Unpack the ZIP (double-click it, or run <code>unzip</code> on it). The program keeps its permission to run.',
    'Open a terminal in that folder and run <code>./FILE</code>.',
    'If it says “Permission denied”, run <code>chmod +x FILE</code> first.',
  ],
};

var $ = (id) => document.getElementById(id);

function say(text, kind) {
  var m = $('message');
  m.textContent = text;
  m.className = kind || '';
}

function stepsFor(target, name) {
  var os = target.split('-')[0];
  var ol = $('steps');
  ol.textContent = '';
  var file = name.replace(/\.zip$/, '');
  (STEPS[os] || []).forEach((html) => {
    var li = document.createElement('li');
    // The templates are ours; the name goes in as text so nothing in it is read as markup.
    var parts = html.split('FILE');
    parts.forEach((part, i) => {
      var span = document.createElement('span');
      span.innerHTML = part;
      while (span.firstChild) li.appendChild(span.firstChild);
      if (i < parts.length - 1) li.appendChild(document.createTextNode(file));
    });
    ol.appendChild(li);
  });
}

function offer(target, state) {
  var link = $('download-link');
  link.href = '/go/download/' + target + '?code=' + encodeURIComponent(state.code);
  link.textContent = 'Download for ' + LABELS[target];
  link.setAttribute('data-target', target);
  $('file-name').textContent = state.files[target];
  stepsFor(target, state.files[target]);
}

function show(state, found) {
  var targets = Object.keys(state.files);
  if (targets.length === 0) {
    say(
      'The code is right, but this server has no downloads built. In the chat, choose "Continue manually".',
      'error',
    );
    return;
  }
  var wanted = found.os && found.arch ? found.os + '-' + found.arch : null;
  var target = wanted && state.files[wanted] ? wanted : null;
  var detected = $('detected');
  if (found.os === 'phone')
    detected.textContent =
      'This looks like a phone. Open this page on the computer where Teams fails, or choose its system below.';
  else if (target)
    detected.textContent =
      'This computer: ' + LABELS[target] + '.' + (found.sure ? '' : ' Not sure? Choose another one below.');
  else detected.textContent = 'Choose the system of the computer where Teams fails.';
  var list = $('targets');
  list.textContent = '';
  targets.forEach((t) => {
    var li = document.createElement('li');
    var a = document.createElement('a');
    a.href = '#';
    a.textContent = LABELS[t];
    a.setAttribute('data-target', t);
    a.addEventListener('click', (e) => {
      e.preventDefault();
      offer(t, state);
      $('download-link').hidden = false;
      $('download-link').focus();
    });
    li.appendChild(a);
    list.appendChild(li);
  });
  $('download-link').hidden = !target;
  if (target) offer(target, state);
  $('chooser').open = !target;
  $('download').hidden = false;
}

function check(event) {
  event.preventDefault();
  var typed = $('code').value.trim();
  if (typed.replace(/[\s-]/g, '').length < 8) {
    say('Type the whole code from the chat: 10 letters and digits, like 7K3M9-QXT4H.', 'error');
    return;
  }
  $('check').disabled = true;
  say('Checking the code…');
  Promise.all([
    fetch('/go/check', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ code: typed }),
      credentials: 'same-origin',
    }).then((res) =>
      res
        .json()
        .catch(() => ({ ok: false, message: 'The helpdesk server answered ' + res.status + '. Try again.' })),
    ),
    detect(),
  ])
    .then((both) => {
      var answer = both[0];
      if (!answer.ok) {
        $('download').hidden = true;
        say(answer.message || 'That did not work. Try again.', 'error');
        return;
      }
      say('The code ' + answer.code + ' is right.', 'ok');
      // The browser check (check.js) works for this code's case.
      document.dispatchEvent(new CustomEvent('reconnect:code', { detail: answer.code }));
      show({ code: answer.code, files: answer.files }, both[1]);
    })
    .catch(() => {
      say(
        'The helpdesk server cannot be reached from this computer right now. Try again in a moment.',
        'error',
      );
    })
    .then(() => {
      $('check').disabled = false;
    });
}

document.addEventListener('DOMContentLoaded', () => {
  $('code-form').addEventListener('submit', check);
  $('code').focus();
  // Opened from the web chat on this very computer: the code comes in the fragment, which no
  // request carries; it is checked at once and dropped from the address bar.
  var fromChat = /^#([0-9A-Za-z-]{10,12})$/.exec(location.hash);
  if (fromChat) {
    $('code').value = fromChat[1];
    history.replaceState(null, '', location.pathname);
    $('code-form').requestSubmit();
  }
});
