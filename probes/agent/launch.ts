/**
 * The agent started with no arguments: a double-click on the file the bot's /go page gave. It
 * reads the pairing code and the bot's address from its own file name (launch-name.ts), pairs,
 * and talks in plain words in the window the OS opened for it (Windows opens a console, macOS
 * Terminal). That window closes the moment the process exits, so the agent waits for Enter
 * before it ends: nobody loses the result code or the last sentence.
 */
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import type { Env } from './config.ts';
import { parseLaunchName } from './launch-name.ts';
import { type PairIo, pairCommand } from './pair-command.ts';
import { formatPairingCode } from './pairing-code.ts';

/** What the person reads after each result while the agent stays connected. */
export const NEXT_STEPS =
  'What to do next: look at the chat on your phone and follow the steps it shows. ' +
  'Leave this window open while you do: the helpdesk re-checks from here. ' +
  'When the chat says you are done, you can close this window.\n';

/**
 * The path the OS started: the executable itself (`process.execPath`) for a single executable,
 * the script (`process.argv[1]`) when run as `node <file>`.
 */
export function ownPath(input: { isSea: boolean; execPath: string; argv: readonly string[] }): string {
  return input.isSea ? input.execPath : (input.argv[1] ?? input.execPath);
}

/** Waits until the person presses Enter (or the window's input closes). */
export function pressEnter(
  stdin: NodeJS.ReadableStream,
  out: { write(text: string): unknown },
  prompt = 'Press Enter to close this window.',
): Promise<void> {
  out.write(`\n${prompt}\n`);
  const rl = createInterface({ input: stdin, terminal: false });
  return new Promise((resolve) => {
    const done = () => {
      rl.close();
      resolve();
    };
    rl.once('line', done);
    rl.once('close', done);
  });
}

export interface LaunchIo extends PairIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Omitted: agent/config.ts reads the process's own. */
  env?: Env;
}

/** Runs the double-clicked agent to its end; resolves to the exit status once Enter is pressed. */
export async function launch(self: string, io: LaunchIo): Promise<number> {
  const target = parseLaunchName(basename(self));
  const { stdout: out } = io;
  if (!target) {
    out.write(
      'Reconnect helpdesk agent\n\n' +
        'This program checks why Teams cannot sign in on this computer, for the helpdesk chat on your phone.\n' +
        'Its file name should carry your pairing code, but this one does not.\n' +
        'In the chat, ask for a code, then open the address the chat shows on this computer and download the program again.\n' +
        'From a terminal you can also run: reconnect-agent pair CODE --server URL\n',
    );
    await pressEnter(io.stdin, out);
    return 2;
  }
  out.write(
    'Reconnect helpdesk agent\n\n' +
      'This window checks the network of this computer for the helpdesk chat on your phone.\n' +
      `Pairing code ${formatPairingCode(target.code)}, helpdesk bot ${target.server}.\n` +
      'Nothing changes on this computer without a yes typed here.\n\n',
  );
  let status: number;
  try {
    // The server comes from the name; the environment may still name a catalog or lab settings.
    status = await pairCommand({ code: target.code, server: target.server, io, nextSteps: NEXT_STEPS });
  } catch (err) {
    out.write(`\nThis did not work: ${(err as Error).message}\n`);
    status = 2;
  }
  if (status === 0) out.write('\nAll done here. You can close this window.\n');
  else
    out.write(
      '\nWhat to do next: go back to the chat on your phone. If it shows no result from this computer, ' +
        'type the result code printed above into the chat. You can close this window after that.\n',
    );
  await pressEnter(io.stdin, out);
  return status;
}
