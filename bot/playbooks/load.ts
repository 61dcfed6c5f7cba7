/**
 * Loads playbooks and step libraries (YAML, or JSON, which YAML reads too) into one
 * PlaybookSet. Loading is all-or-nothing: the first bad file refuses the whole set with a
 * PlaybookError naming the file, the path in it and what was expected, so a typo in a
 * helpdesk's playbook fails at start-up rather than in front of a user.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Expression } from 'adaptive-expressions';
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import {
  type LoadedPlaybook,
  type LoadedStep,
  PLAYBOOK_SCHEMA,
  type PlaybookDoc,
  type PlaybookSet,
  type Step,
  type StepLibraryDoc,
} from './types.ts';
import { type Locate, type PathSegment, PlaybookError, validateDocument } from './validate.ts';

export { PlaybookError } from './validate.ts';

/** The playbooks that ship with Reconnect. */
export const BUILTIN_PLAYBOOK_DIR = fileURLToPath(new URL('./data/', import.meta.url));

const EXTENSIONS = /\.(ya?ml|json)$/i;

export interface PlaybookSource {
  /** Shown in errors; usually the file's path. */
  file: string;
  text: string;
}

/** Reads every .yaml/.yml/.json file of the directories (each sorted by name) into one set. */
export async function loadPlaybookDirs(dirs: string[]): Promise<PlaybookSet> {
  const sources: PlaybookSource[] = [];
  for (const dir of dirs) {
    const names = (await readdir(dir)).filter((n) => EXTENSIONS.test(n)).sort();
    for (const name of names) {
      const file = join(dir, name);
      sources.push({ file, text: await readFile(file, 'utf8') });
    }
  }
  return parsePlaybookSources(sources);
}

/** The built-in set. */
export function loadBuiltinPlaybooks(): Promise<PlaybookSet> {
  return loadPlaybookDirs([BUILTIN_PLAYBOOK_DIR]);
}

interface Parsed {
  file: string;
  doc: PlaybookDoc | StepLibraryDoc;
  locate: Locate;
}

/** Parses, validates and links sources in the order given. Pure apart from the CPU. */
export function parsePlaybookSources(sources: PlaybookSource[]): PlaybookSet {
  const parsed = sources.map(parseOne);
  const steps = new Map<string, LoadedStep>();
  const conditions = new Map<string, Expression>();

  for (const { file, doc, locate } of parsed) {
    (doc.steps ?? []).forEach((step, i) => {
      const at = ['steps', i];
      const first = steps.get(step.id);
      if (first) {
        throw refuse(
          file,
          locate,
          [...at, 'id'],
          `a step id not used before (already in ${first.source})`,
          step.id,
        );
      }
      const condition = parseWhen(step, file, at, locate);
      if (condition) conditions.set(step.id, condition);
      steps.set(step.id, { ...step, source: file, index: steps.size });
    });
  }

  const playbooks: LoadedPlaybook[] = [];
  const codeOwner = new Map<string, string>();
  for (const { file, doc, locate } of parsed) {
    if (doc.schema !== PLAYBOOK_SCHEMA) continue;
    const earlier = playbooks.find((p) => p.id === doc.id);
    if (earlier)
      throw refuse(
        file,
        locate,
        ['id'],
        `a playbook id not used before (already in ${earlier.source})`,
        doc.id,
      );
    doc.codes.forEach((code, i) => {
      const owner = codeOwner.get(code);
      if (owner)
        throw refuse(file, locate, ['codes', i], `a code no other playbook serves (${owner} does)`, code);
      codeOwner.set(code, file);
    });

    const ladder = (doc.steps ?? []).map((s) => s.id);
    (doc.include ?? []).forEach((id, i) => {
      if (!steps.has(id))
        throw refuse(file, locate, ['include', i], 'the id of a step declared in a loaded file', id);
      if (ladder.includes(id))
        throw refuse(file, locate, ['include', i], 'a step not already in this playbook', id);
      ladder.push(id);
    });
    playbooks.push({ id: doc.id, title: doc.title, codes: [...doc.codes], ladder, source: file });
  }
  return { playbooks, steps, conditions };
}

function parseOne({ file, text }: PlaybookSource): Parsed {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineAt = (offset: number) => lineCounter.linePos(offset).line;
  const [error] = document.errors;
  if (error) {
    throw new PlaybookError({
      file,
      path: [],
      expected: 'valid YAML',
      got: error.message,
      line: lineAt(error.pos[0]),
    });
  }
  // The line of the deepest node on the path: a field's key, a list's item, or for a missing
  // field the mapping that lacks it.
  const locate: Locate = (path) => {
    let node: unknown = document.contents;
    let at = (node as { range?: number[] } | null)?.range?.[0];
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && p.key.value === seg);
        if (!pair) break;
        at = (pair.key as { range?: number[] }).range?.[0] ?? at;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number' && node.items[seg]) {
        node = node.items[seg];
        at = (node as { range?: number[] }).range?.[0] ?? at;
      } else {
        break;
      }
    }
    return at === undefined ? undefined : lineAt(at);
  };
  return { file, doc: validateDocument(document.toJS(), file, locate), locate };
}

/** Parses `when` once; a parse error names the file, the step and the parser's message. */
function parseWhen(step: Step, file: string, at: PathSegment[], locate: Locate): Expression | undefined {
  if (step.when === undefined) return undefined;
  try {
    return Expression.parse(step.when);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw refuse(
      file,
      locate,
      [...at, 'when'],
      `a valid adaptive-expressions condition in step '${step.id}' (${message})`,
      step.when,
    );
  }
}

function refuse(
  file: string,
  locate: Locate,
  path: PathSegment[],
  expected: string,
  got: unknown,
): PlaybookError {
  return new PlaybookError({ file, path, expected, got: JSON.stringify(got), line: locate(path) });
}
