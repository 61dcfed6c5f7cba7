/**
 * The one error for something a person gave us that cannot be used: a setting of the bot or
 * the agent, a catalog file, the sign-in code catalog, a proxy setting, the Teams package's
 * settings. A string code says which (bolt's style, STYLE.md); the message is put together here
 * and nowhere else, from where the problem is and what was expected, so every entry point (the
 * agent's CLI, the bot's main, package:teams) prints `message` as it is and exits 2.
 */

/** Which input was refused. */
export type ConfigErrorCode =
  | 'config_invalid'
  | 'catalog_invalid'
  | 'code_catalog_invalid'
  | 'proxy_invalid'
  | 'teams_package_invalid';

/** The input a code is about, for codes whose inputs are always the same file. */
const SOURCES: Partial<Record<ConfigErrorCode, string>> = {
  code_catalog_invalid: 'code catalog (probes/codes/catalog.json)',
};

/** Where the problem is: a file or a variable (`source`) and a field path in it (`endpoints[2].port`). */
export interface ConfigErrorAt {
  code?: ConfigErrorCode;
  source?: string;
  field?: string;
}

/** `source: field: problem`, leaving out what is not known. */
function configMessage(code: ConfigErrorCode, source: string, field: string, problem: string): string {
  return [source || (SOURCES[code] ?? ''), field, problem].filter((part) => part !== '').join(': ');
}

/** A refused input; `problem` says what is wrong and what is accepted. */
export class ConfigError extends Error {
  readonly code: ConfigErrorCode;
  /** The file, variable or flag; '' when the problem names it itself. */
  readonly source: string;
  /** The field path inside `source`; '' for the input as a whole. */
  readonly field: string;
  readonly problem: string;
  constructor(problem: string, at: ConfigErrorAt = {}) {
    const { code = 'config_invalid', source = '', field = '' } = at;
    super(configMessage(code, source, field, problem));
    this.name = 'ConfigError';
    this.code = code;
    this.source = source;
    this.field = field;
    this.problem = problem;
  }
}
