/**
 * The pairing commands: a download-check-run line per OS for the one-file agent (no npx line:
 * the package is not published),
 * quoting of anything a shell would interpret, and refusal of a code or URL that is not ours.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AGENT_URL_PATH } from '../../bot/agents/download.ts';
import { agentCommands } from '../../cards/pairing.ts';
import { renderSlack } from '../../cards/slack.ts';
import { renderTeams } from '../../cards/teams.ts';
import { renderText } from '../../cards/text.ts';
import { allStrings } from './adaptive-schema.ts';
import { VIEWS } from './fixtures.ts';

test('a download-check-run line per OS, against the route that serves the agent, and no npx', () => {
  const cmds = agentCommands({ code: 'K7Q2-M9XD', serverUrl: 'https://bot.example.test' });
  assert.deepEqual(
    cmds.map((c) => c.os),
    ['windows', 'macos', 'linux'],
  );
  for (const c of cmds) assert.deepEqual(Object.keys(c), ['os', 'download']);
  assert.equal(
    cmds[0].download,
    "iwr https://bot.example.test/agent/reconnect-agent.js -UseBasicParsing -OutFile reconnect-agent.js; if ((Get-FileHash reconnect-agent.js).Hash -ne (irm https://bot.example.test/agent/reconnect-agent.js.sha256 -UseBasicParsing).Split(' ')[0]) { throw 'reconnect-agent.js does not match its SHA-256' }; node reconnect-agent.js pair K7Q2-M9XD --server https://bot.example.test",
  );
  assert.equal(
    cmds[1].download,
    'curl -fsSLo reconnect-agent.js https://bot.example.test/agent/reconnect-agent.js && curl -fsSL https://bot.example.test/agent/reconnect-agent.js.sha256 | shasum -a 256 -c && node reconnect-agent.js pair K7Q2-M9XD --server https://bot.example.test',
  );
  assert.equal(
    cmds[2].download,
    'curl -fsSLo reconnect-agent.js https://bot.example.test/agent/reconnect-agent.js && curl -fsSL https://bot.example.test/agent/reconnect-agent.js.sha256 | sha256sum -c && node reconnect-agent.js pair K7Q2-M9XD --server https://bot.example.test',
  );
  // The path the bot serves (bot/agents/download.ts), not another one.
  assert.ok(cmds[2].download.includes(AGENT_URL_PATH));
});

test('URLs with shell characters are single-quoted for each shell', () => {
  const cmds = agentCommands({
    code: 'ABCD1234',
    serverUrl: "https://bot.example.test/x?a=1&b='2'",
    agentUrl: 'https://cdn.example.test/agent.js',
  });
  assert.ok(
    cmds[0].download.endsWith(
      "node reconnect-agent.js pair ABCD1234 --server 'https://bot.example.test/x?a=1&b=''2'''",
    ),
  );
  assert.ok(
    cmds[1].download.endsWith(
      "node reconnect-agent.js pair ABCD1234 --server 'https://bot.example.test/x?a=1&b='\\''2'\\'''",
    ),
  );
  assert.ok(
    cmds[1].download.startsWith(
      'curl -fsSLo reconnect-agent.js https://cdn.example.test/agent.js && curl -fsSL https://cdn.example.test/agent.js.sha256 | ',
    ),
  );
});

test('a code outside Crockford base32 or a non-http URL is refused', () => {
  assert.throws(
    () => agentCommands({ code: 'ABC;rm -rf', serverUrl: 'https://b.test' }),
    /not Crockford base32/,
  );
  assert.throws(() => agentCommands({ code: 'ILOU', serverUrl: 'https://b.test' }), TypeError);
  assert.throws(
    () => agentCommands({ code: 'ABCD', serverUrl: 'not a url' }),
    /serverUrl "not a url" is not a URL/,
  );
  assert.throws(
    () => agentCommands({ code: 'ABCD', serverUrl: 'file:///etc/passwd' }),
    /must be http or https/,
  );
});

test("the pairing card puts the user's OS first and folds the others away", () => {
  const view = VIEWS.find((v) => v.name === 'pairing, waiting')?.view;
  assert.ok(view);
  const strings = allStrings(renderTeams(view, { universalActions: true }));
  const linux = strings.indexOf('On Linux (Terminal):');
  const windows = strings.indexOf('On Windows (PowerShell):');
  assert.ok(linux >= 0 && windows > linux);
  const card = JSON.stringify(renderTeams(view, { universalActions: true }));
  assert.ok(card.includes('"id":"other-os","isVisible":false'));
  assert.ok(card.includes('"targetElements":["other-os"]'));
  const slack = allStrings(renderSlack(view).blocks).join('\n');
  assert.ok(slack.indexOf('On Linux') < slack.indexOf('On Windows'));
  assert.ok(slack.includes('<!date^1795776720^{time}|10:52 UTC>'), 'expiry in the reader’s time zone');
  assert.ok(renderText(view).includes('expires 10:52 UTC'));
});
