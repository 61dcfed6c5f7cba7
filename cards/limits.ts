/**
 * Every size limit the renderers respect, with where the number comes from. Platform limits are
 * hard (the API rejects the message); "ours" are budgets chosen so a card stays readable on a
 * 390 px phone screen and far from the hard limits.
 */

/** Slack Block Kit (messages). */
export const SLACK = {
  /** "You can include up to 50 blocks in each message" (docs.slack.dev/reference/block-kit/blocks). */
  maxBlocks: 50,
  /** Section block `text`: "Maximum length for the text in this field is 3000 characters". */
  sectionText: 3000,
  /** Section block `fields`: "Maximum number of items is 10". */
  sectionFields: 10,
  /** Section block `fields`: "Maximum length for the text in each item is 2000 characters". */
  fieldText: 2000,
  /** Header block: "Maximum length for the text in this field is 150 characters". */
  headerText: 150,
  /** Context block `elements`: maximum 10 items. */
  contextElements: 10,
  /** Context element text: a text object, 3000 characters (composition-objects#text). */
  contextText: 3000,
  /** Actions block: "There is a maximum of 25 elements in each action block". */
  actionsElements: 25,
  /** Button `text`: "Maximum length for the text in this field is 75 characters". */
  buttonText: 75,
  /** Button/element `action_id`: "Maximum length for this field is 255 characters". */
  actionId: 255,
  /** Button `value`: "Maximum length for this field is 2000 characters". */
  buttonValue: 2000,
  /** Button `url`: 3000 characters. */
  buttonUrl: 3000,
  /** `block_id`: "Maximum length for this field is 255 characters". */
  blockId: 255,
  /**
   * Sum of all text in a message's blocks. Undocumented: chat.postMessage answers
   * `msg_blocks_too_long` near 12,000-13,000 characters (slackapi/bolt-js#2509, where a maintainer
   * names "12,000 text characters with a buffer for block containers"). Ours: 10,000.
   */
  totalText: 10_000,
  /**
   * Top-level `text` (the notification fallback). Slack truncates at 40,000 characters
   * (chat.postMessage); ours is short because it is what a lock screen shows.
   */
  fallbackText: 300,
} as const;

/** Adaptive Cards in Teams and Web Chat. */
export const ADAPTIVE = {
  /** Universal Actions need schema 1.5 (Teams "Work with Universal Actions for Adaptive Cards"). */
  version: '1.5',
  /**
   * Teams bot message size: 40 KB of UTF-16 (older "Format your bot messages"), now documented as
   * ~100 KB with 80 KB recommended. Ours: the card JSON stays under 16,000 UTF-16 code units
   * (32 KB), below the stricter number with room for the activity around it.
   */
  maxCardChars: 16_000,
  /** Refresh `userIds`: "a maximum of 60 user MRIs" (Teams Universal Actions, refresh model). */
  refreshUserIds: 60,
} as const;

/** How much of each kind of content a rendering shows. */
export interface Budget {
  /** A title or a one-line value (an issuer name, a host). */
  shortText: number;
  /** One sentence: a finding summary, a step's why, evidence. */
  sentence: number;
  /** A fact value in a finding. */
  factValue: number;
  /** Facts shown per finding. */
  factsPerFinding: number;
  /** List items (hosts) shown before "and N more". */
  listItems: number;
  /** Evidence probe ids shown per finding. */
  evidenceIds: number;
  /** One platform's instructions, in characters of markdown, before the rest is cut. */
  instructions: number;
  /** Instructions for the other platforms (shown collapsed or below). */
  otherInstructions: number;
  /** Copy-paste lines per hand-off section before "and N more lines". */
  handoffLines: number;
  /** One copy-paste line. */
  handoffLine: number;
  /** Hand-off sections rendered in a card; the download carries all. */
  handoffSections: number;
  /** Findings listed on a card. */
  findings: number;
  /** Steps listed in an escalation summary. */
  escalationSteps: number;
  /** Timeline entries in an escalation summary (the newest are kept). */
  timeline: number;
  /** Progress areas listed. */
  areas: number;
  /** Free text the user typed (a symptom). */
  userText: number;
}

/** Our budgets for content, shared by every channel so the same view reads the same everywhere. */
export const CONTENT: Budget = {
  shortText: 120,
  sentence: 400,
  factValue: 160,
  factsPerFinding: 6,
  listItems: 8,
  evidenceIds: 4,
  instructions: 1500,
  otherInstructions: 600,
  handoffLines: 30,
  handoffLine: 300,
  handoffSections: 8,
  findings: 6,
  escalationSteps: 10,
  timeline: 10,
  areas: 12,
  userText: 500,
};

/**
 * Used when a card rendered with CONTENT would pass a platform limit (the Adaptive Card size, Slack's
 * block or text budget): less of everything, so the card still carries the essentials and its buttons.
 */
export const TIGHT: Budget = {
  shortText: 80,
  sentence: 200,
  factValue: 80,
  factsPerFinding: 3,
  listItems: 5,
  evidenceIds: 2,
  instructions: 700,
  otherInstructions: 250,
  handoffLines: 15,
  handoffLine: 200,
  handoffSections: 3,
  findings: 3,
  escalationSteps: 5,
  timeline: 5,
  areas: 12,
  userText: 200,
};

/** The marker a cut value ends with, on every channel. */
export const ELLIPSIS = '…';
