/**
 * Issue 12: every channel's pairing card first says, in plain words, to open the bot's /go page
 * on the computer and type the code; what the person types there beyond the bot's host name is
 * counted from the rendered card itself, and must stay at most 30 characters.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agentCommands, goAddress } from '../../cards/pairing.ts';
import { renderSlack } from '../../cards/slack.ts';
import { renderTeams } from '../../cards/teams.ts';
import { renderText } from '../../cards/text.ts';
import type { View } from '../../cards/views.ts';
import { renderWebChat } from '../../cards/webchat.ts';
import { allStrings } from './adaptive-schema.ts';

const HOST = 'reconnect.example.com';
const CODE = '7K3M9-QXT4H';

function view(serverUrl: string): View {
  return {
    sessionId: 's-1',
    version: 3,
    screen: 'pairing',
    code: CODE,
    expiresAt: '2026-11-27T10:52:00.000Z',
    goAddress: goAddress(serverUrl),
    commands: agentCommands({ code: CODE, serverUrl }),
  };
}

const CHANNELS: Record<string, (v: View) => string> = {
  'Teams (Action.Execute)': (v) => allStrings(renderTeams(v, { universalActions: true })).join('\n'),
  'Teams (Action.Submit)': (v) => allStrings(renderTeams(v, { universalActions: false })).join('\n'),
  'web chat': (v) => allStrings(renderWebChat(v)).join('\n'),
  Slack: (v) => allStrings(renderSlack(v).blocks).join('\n'),
  'plain text': (v) => renderText(v),
};

/** The address and the code the first instruction names, with markdown emphasis removed. */
function instruction(text: string): { address: string; code: string; at: number } {
  const plain = text.replace(/[*_]/g, '');
  const m = /open (\S+) in a web browser and type the code ([0-9A-Z-]+)/.exec(plain);
  if (!m) throw new Error(`no "open …/go and type the code" instruction in:\n${plain}`);
  return { address: m[1], code: m[2], at: m.index };
}

for (const [channel, render] of Object.entries(CHANNELS)) {
  test(`${channel}: open ${HOST}/go and type the code, at most 30 characters beyond the host`, () => {
    const text = render(view(`https://${HOST}`));
    const { address, code, at } = instruction(text);
    assert.ok(address.startsWith(HOST), `the address names the bot's host: ${address}`);
    assert.equal(code, CODE);
    const typed = address.slice(HOST.length).length + code.length;
    assert.ok(typed <= 30, `${typed} characters to type beyond the host name`);
    assert.equal(typed, '/go'.length + CODE.length);
    // The short way comes first; the terminal lines are the fallback below it.
    const plain = text.replace(/[*_]/g, '');
    const terminal = plain.indexOf('node reconnect-agent.js pair');
    assert.ok(terminal > 0 && at < terminal, 'the /go instruction precedes the Node line');
    // Nothing tells people to run a package that is not on the registry.
    assert.doesNotMatch(plain, /npx|npm/);
  });
}

test('a port other than the default is part of what is typed, and still fits', () => {
  const text = CHANNELS['plain text'](view(`https://${HOST}:8443`));
  const { address, code } = instruction(text);
  assert.equal(address, `${HOST}:8443/go`);
  assert.ok(address.slice(HOST.length).length + code.length <= 30);
});
