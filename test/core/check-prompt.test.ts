/**
 * A step's check prompt matches the step's instruction (issue 14 item 6): when the instructions
 * for the person's system show a command whose output the bot reads, "Done — check again" asks
 * for that command's output, not another one.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pasteCommands } from '../../bot/core/recheck.ts';
import { instructionsFor } from '../../bot/playbooks/select.ts';
import { parsePaste } from '../../probes/paste/index.ts';
import { PLAYBOOKS } from './fake-channel.ts';
import { OSES } from './walk.ts';

const READABLE = /(^|\n|`)\s*(nslookup|dig|curl(\.exe)?|openssl s_client|netsh winhttp show proxy)\b/;

test('every re-checkable step asks for the readable commands its own instructions show', () => {
  let compared = 0;
  for (const step of PLAYBOOKS.steps.values()) {
    for (const os of OSES) {
      const asked = pasteCommands(step, os);
      const shown = instructionsFor(step, os)
        .filter((b) => b.platform !== 'phone')
        .map((b) => b.markdown)
        .join('\n');
      if (asked.length === 0 || !READABLE.test(shown)) continue;
      compared++;
      for (const command of asked)
        assert.ok(
          shown.includes(command),
          `${step.id} on ${os} asks for "${command}", not in its instructions`,
        );
    }
  }
  assert.ok(compared > 10, `compared ${compared} step/OS pairs`);
});

test('"Check port 443" asks for the curl it tells the person to run, and its output is read', () => {
  const step = PLAYBOOKS.steps.get('check-port-443');
  assert.ok(step);
  assert.deepEqual(pasteCommands(step, 'windows'), ['curl.exe -sI https://login.microsoftonline.com/']);
  assert.deepEqual(pasteCommands(step, 'linux'), ['curl -sI https://login.microsoftonline.com/']);
  // What that command prints (headers only) is output the bot reads into a result.
  const read = parsePaste(
    '$ curl -sI https://login.microsoftonline.com/\nHTTP/2 302\nlocation: https://login.microsoftonline.com/x\n\n',
  );
  assert.ok(
    read.probes.some((r) => r.kind === 'https' && r.status === 'pass'),
    JSON.stringify(read),
  );
});
