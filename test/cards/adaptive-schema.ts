/**
 * A small Adaptive Card 1.5 validator for tests: element and action types allowed in 1.5, their
 * required fields, enum values of the properties we use, unique ids, toggle targets that exist,
 * and no template leftovers. Returns a list of problems, each with its JSON path.
 */

type Json = Record<string, unknown>;

const ELEMENTS = new Set([
  'TextBlock',
  'Image',
  'Media',
  'RichTextBlock',
  'Container',
  'ColumnSet',
  'FactSet',
  'ImageSet',
  'ActionSet',
  'Table',
  'Input.Text',
  'Input.Number',
  'Input.Date',
  'Input.Time',
  'Input.Toggle',
  'Input.ChoiceSet',
]);
const ACTIONS = new Set([
  'Action.OpenUrl',
  'Action.Submit',
  'Action.ShowCard',
  'Action.ToggleVisibility',
  'Action.Execute',
]);
const ENUMS: Record<string, readonly string[]> = {
  spacing: ['None', 'Small', 'Default', 'Medium', 'Large', 'ExtraLarge', 'Padding'],
  size: ['Small', 'Default', 'Medium', 'Large', 'ExtraLarge'],
  weight: ['Lighter', 'Default', 'Bolder'],
  color: ['Default', 'Dark', 'Light', 'Accent', 'Good', 'Warning', 'Attention'],
  fontType: ['Default', 'Monospace'],
  horizontalAlignment: ['Left', 'Center', 'Right'],
};
const CONTAINER_STYLES = ['default', 'emphasis', 'good', 'attention', 'warning', 'accent'];
const ACTION_STYLES = ['default', 'positive', 'destructive'];

export interface CardReport {
  errors: string[];
  /** Every action found (card actions, ActionSets, selectActions), without fallbacks. */
  actions: Json[];
  ids: string[];
}

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function checkAdaptiveCard(card: unknown): CardReport {
  const errors: string[] = [];
  const actions: Json[] = [];
  const ids: string[] = [];
  const toggleTargets: { path: string; id: string }[] = [];
  const err = (path: string, msg: string): undefined => {
    errors.push(`${path}: ${msg}`);
  };

  const enums = (el: Json, path: string) => {
    for (const [key, allowed] of Object.entries(ENUMS))
      if (el[key] !== undefined && !allowed.includes(el[key] as string))
        err(path, `${key} ${JSON.stringify(el[key])} not one of ${allowed.join('|')}`);
    if (el.isVisible !== undefined && typeof el.isVisible !== 'boolean')
      err(path, 'isVisible must be boolean');
    if (el.id !== undefined) {
      if (typeof el.id !== 'string' || el.id === '') err(path, 'id must be a non-empty string');
      else if (ids.includes(el.id)) err(path, `duplicate id ${el.id}`);
      else ids.push(el.id);
    }
    for (const key of Object.keys(el))
      if (key.startsWith('$') && key !== '$schema') err(path, `template leftover ${key}`);
  };

  const action = (a: unknown, path: string, asFallback = false): undefined => {
    if (!isObj(a)) return err(path, 'action must be an object');
    if (!ACTIONS.has(a.type as string)) return err(path, `action type ${JSON.stringify(a.type)} not in 1.5`);
    if (!asFallback) actions.push(a);
    if (a.title !== undefined && typeof a.title !== 'string') err(path, 'title must be a string');
    if (a.style !== undefined && !ACTION_STYLES.includes(a.style as string)) err(path, `style ${a.style}`);
    if (a.type === 'Action.OpenUrl' && (typeof a.url !== 'string' || !/^https?:\/\//.test(a.url)))
      err(path, 'OpenUrl needs an http(s) url');
    if (a.type === 'Action.Execute' && (typeof a.verb !== 'string' || a.verb === ''))
      err(path, 'Execute needs a verb');
    if ((a.type === 'Action.Execute' || a.type === 'Action.Submit') && a.data !== undefined && !isObj(a.data))
      err(path, 'data must be an object');
    if (a.type === 'Action.ToggleVisibility') {
      if (!Array.isArray(a.targetElements) || a.targetElements.length === 0)
        err(path, 'targetElements required');
      else
        for (const t of a.targetElements)
          toggleTargets.push({ path, id: typeof t === 'string' ? t : ((t as Json).elementId as string) });
    }
    if (a.type === 'Action.ShowCard') err(path, 'ShowCard is not used by our cards');
    if (a.fallback !== undefined && a.fallback !== 'drop') action(a.fallback, `${path}.fallback`, true);
  };

  const inline = (run: unknown, path: string): undefined => {
    if (typeof run === 'string') return;
    if (!isObj(run) || run.type !== 'TextRun') return err(path, 'inline must be a TextRun');
    if (typeof run.text !== 'string' || run.text === '') err(path, 'TextRun needs text');
    enums(run, path);
    if (run.selectAction !== undefined) action(run.selectAction, `${path}.selectAction`);
  };

  const element = (el: unknown, path: string): undefined => {
    if (!isObj(el)) return err(path, 'element must be an object');
    if (!ELEMENTS.has(el.type as string))
      return err(path, `element type ${JSON.stringify(el.type)} not in 1.5`);
    enums(el, path);
    switch (el.type) {
      case 'TextBlock':
        if (typeof el.text !== 'string' || el.text === '') err(path, 'TextBlock needs text');
        if (el.style !== undefined && !['default', 'heading'].includes(el.style as string))
          err(path, `style ${el.style}`);
        break;
      case 'RichTextBlock':
        if (!Array.isArray(el.inlines) || el.inlines.length === 0) err(path, 'RichTextBlock needs inlines');
        else for (const [i, r] of el.inlines.entries()) inline(r, `${path}.inlines[${i}]`);
        break;
      case 'Container':
        if (!Array.isArray(el.items)) err(path, 'Container needs items');
        else for (const [i, c] of el.items.entries()) element(c, `${path}.items[${i}]`);
        if (el.style !== undefined && !CONTAINER_STYLES.includes(el.style as string))
          err(path, `style ${el.style}`);
        break;
      case 'ColumnSet':
        for (const [i, col] of ((el.columns as unknown[]) ?? []).entries()) {
          if (!isObj(col) || col.type !== 'Column') err(`${path}.columns[${i}]`, 'must be a Column');
          else
            for (const [k, c] of ((col.items as unknown[]) ?? []).entries())
              element(c, `${path}.columns[${i}].items[${k}]`);
        }
        break;
      case 'FactSet':
        if (!Array.isArray(el.facts)) err(path, 'FactSet needs facts');
        else
          for (const [i, f] of el.facts.entries())
            if (!isObj(f) || typeof f.title !== 'string' || typeof f.value !== 'string')
              err(`${path}.facts[${i}]`, 'fact needs title and value strings');
        break;
      case 'ActionSet':
        if (!Array.isArray(el.actions) || el.actions.length === 0) err(path, 'ActionSet needs actions');
        else for (const [i, a] of el.actions.entries()) action(a, `${path}.actions[${i}]`);
        break;
      case 'Image':
        if (typeof el.url !== 'string') err(path, 'Image needs url');
        break;
      default:
        if ((el.type as string).startsWith('Input.') && typeof el.id !== 'string')
          err(path, 'Input needs id');
    }
    if (el.selectAction !== undefined) action(el.selectAction, `${path}.selectAction`);
  };

  if (!isObj(card)) return { errors: ['$: card must be an object'], actions, ids };
  if (card.type !== 'AdaptiveCard') err('$', 'type must be AdaptiveCard');
  if (card.version !== '1.5') err('$', `version must be "1.5", got ${JSON.stringify(card.version)}`);
  if (!Array.isArray(card.body) || card.body.length === 0) err('$', 'body must be a non-empty array');
  else for (const [i, el] of card.body.entries()) element(el, `$.body[${i}]`);
  if (card.actions !== undefined) {
    if (!Array.isArray(card.actions)) err('$', 'actions must be an array');
    else for (const [i, a] of card.actions.entries()) action(a, `$.actions[${i}]`);
  }
  if (card.refresh !== undefined) {
    const r = card.refresh as Json;
    if (!isObj(r.action) || r.action.type !== 'Action.Execute')
      err('$.refresh', 'refresh.action must be Action.Execute');
    if (r.userIds !== undefined && (!Array.isArray(r.userIds) || r.userIds.length > 60))
      err('$.refresh', 'userIds: at most 60');
  }
  for (const t of toggleTargets) if (!ids.includes(t.id)) err(t.path, `toggle target ${t.id} does not exist`);
  return { errors, actions, ids };
}

/** Every string in the card (to look for text, template leftovers and cut markers). */
export function allStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) allStrings(v, out);
  else if (isObj(value)) for (const v of Object.values(value)) allStrings(v, out);
  return out;
}

/** Every element of a given type, depth first. */
export function elementsOfType(value: unknown, type: string, out: Json[] = []): Json[] {
  if (Array.isArray(value)) for (const v of value) elementsOfType(v, type, out);
  else if (isObj(value)) {
    if (value.type === type) out.push(value);
    for (const [k, v] of Object.entries(value)) if (k !== 'fallback') elementsOfType(v, type, out);
  }
  return out;
}
