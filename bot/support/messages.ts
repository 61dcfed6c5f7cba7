/**
 * What the support relay says, to the user and in the support thread, in one place so the
 * wording stays consistent (and tests can match it).
 */

export const toUser = {
  escalated: (caseRef: string) =>
    `Your case ${caseRef} is with the support team now, with everything we checked. A person will reply right here in this chat; you can keep writing here too.`,
  waiting: (caseRef: string, contact: string) =>
    `${contact} No support channel is connected to this bot yet, so please mention case ${caseRef} when you contact them. ` +
    'Your case stays open and goes to support with everything we checked as soon as a channel is connected.',
  nowWithSupport: (caseRef: string) =>
    `Your case ${caseRef} has reached the support team. A person will reply right here in this chat.`,
  reply: (name: string, text: string) => `${name} (support): ${text}`,
  taken: (name: string) => `${name} from support has taken your case and will reply here.`,
  closed: (caseRef: string, name: string) =>
    `${name} from support closed case ${caseRef}. If Teams fails again, just write here.`,
};

export const toThread = {
  userSaid: (user: string, text: string) => `${user} wrote: ${text}`,
  escalatedAgain: (round: number) =>
    `The user escalated this case again (round ${round}). The current state of the case follows.`,
  escalatedWhileOpen: 'The user escalated again; the card shows the case as it stands now.',
  taken: (name: string) => `Taken by ${name}.`,
  alreadyTaken: (name: string) => `${name} has already taken this case.`,
  rerunStarted: (name: string) =>
    `${name} asked for a re-run of the checks on the user's computer. The difference from the last run will be posted here.`,
  rerunManual: (name: string) =>
    `${name} asked for a re-run. No agent is paired with the user's computer, so the user was asked to paste the output of the checks; the difference will be posted here when it arrives.`,
  rerunBusy: "A check is already running on the user's computer; its result will be posted here.",
  rerunNotNow: (state: string) => `The checks cannot be re-run while the case is in the "${state}" state.`,
  rerunEnded: (message: string) => `The re-run did not finish: ${message}`,
  resolvedBy: (name: string) => `Resolved by ${name}. The user has been told.`,
  resolvedByUser: 'The user confirmed that Teams works again; the case is closed.',
  alreadyClosed: 'This case is already closed. Use Reopen on the card to open it again.',
  reopened: (name: string) => `Reopened by ${name}.`,
  stillOpen: 'This case is open already.',
  notHere: 'This case was posted to another support channel; act on it there.',
  notASupportAction: (verb: string) => `"${verb}" is not something support can do from the thread.`,
  registered: (where: string) =>
    `This ${where} now receives Reconnect escalations: each case arrives as a new thread with everything the bot checked. ` +
    'Replies in a case thread reach the user; use the buttons on the case card to take, re-run or resolve it.',
};
