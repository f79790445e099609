import { ConfigError } from '../errors.js';
import type { ChatMessage, Template, TemplateContext } from './types.js';

/**
 * Fill `{field}` placeholders from the context; `{{` and `}}` are literal braces (as in
 * Python's str.format, which the original used). A missing field is an error that names the
 * field and the fields available. Pure.
 */
export function fillTemplate(template: string, context: TemplateContext, where = 'prompt'): string {
  return render(template, where, (field) => stringify(lookupField(context, field, where)));
}

/**
 * Check a template's syntax without a context (every `{` opens a `{field}` or is doubled, every
 * `}` closes one or is doubled), so a bad template is an error before the first request rather
 * than at the first row that uses it. Throws the ConfigError `fillTemplate` would.
 */
export function checkTemplate(template: string, where = 'prompt'): void {
  render(template, where, () => '');
}

function render(template: string, where: string, value: (field: string) => string): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const ch = template[i] as string;
    if (ch === '{') {
      if (template[i + 1] === '{') {
        out += '{';
        i += 2;
        continue;
      }
      const close = template.indexOf('}', i + 1);
      if (close < 0) throw unbalanced(template, where, i);
      const field = template.slice(i + 1, close).trim();
      if (!/^[A-Za-z_][\w.-]*$/.test(field)) throw unbalanced(template, where, i);
      out += value(field);
      i = close + 1;
    } else if (ch === '}') {
      if (template[i + 1] !== '}') throw unbalanced(template, where, i);
      out += '}';
      i += 2;
    } else {
      out += ch;
      i += 1;
    }
  }
  return out;
}

/** The `{field}` names a template uses, in order of first appearance. */
export function templateFields(template: string): string[] {
  const fields: string[] = [];
  const re = /\{\{|\}\}|\{\s*([A-Za-z_][\w.-]*)\s*\}/g;
  for (let m = re.exec(template); m; m = re.exec(template)) {
    if (m[1] && !fields.includes(m[1])) fields.push(m[1]);
  }
  return fields;
}

function lookupField(context: TemplateContext, field: string, where: string): unknown {
  if (Object.prototype.hasOwnProperty.call(context, field)) return context[field];
  // a.b reaches into nested objects, for rows with structured fields
  if (field.includes('.')) {
    let cur: unknown = context;
    for (const part of field.split('.')) {
      if (cur === null || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, part)) {
        cur = undefined;
        break;
      }
      cur = (cur as Record<string, unknown>)[part];
    }
    if (cur !== undefined) return cur;
  }
  const available = Object.keys(context);
  throw new ConfigError(`template field {${field}} in ${where} is not in the context`, {
    code: 'E_TEMPLATE_FIELD',
    field: where,
    hint: available.length
      ? `available fields: ${available.join(', ')}; write {{ and }} for literal braces`
      : 'the context is empty: pass --context JSON or --var k=v, or use a dataset row',
  });
}

function stringify(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function unbalanced(template: string, where: string, at: number): ConfigError {
  const snippet = template.slice(Math.max(0, at - 10), at + 20);
  return new ConfigError(`unbalanced or invalid brace in ${where} near "${snippet}"`, {
    code: 'E_TEMPLATE_SYNTAX',
    field: where,
    hint: 'placeholders look like {field}; write {{ and }} for literal braces',
  });
}

/** Instantiate a prompt template (string or function) with a context. */
export function instantiatePrompt(template: Template, context: TemplateContext, allowFormat: boolean, where = 'prompt'): string {
  if (typeof template === 'function') return stringify(template(context));
  return allowFormat ? fillTemplate(template, context, where) : template;
}

/**
 * Instantiate chat messages: each message's `content` that is a string or function is filled;
 * a function given for the whole list is called with the context and must return messages.
 */
export function instantiateMessages(
  messages: readonly ChatMessage[] | ((c: TemplateContext) => unknown),
  context: TemplateContext,
  allowFormat: boolean,
): ChatMessage[] {
  const list = typeof messages === 'function' ? messages(context) : messages;
  if (!Array.isArray(list)) {
    throw new ConfigError('messages must be a list of {role, content} objects', { field: 'messages' });
  }
  return list.map((m: ChatMessage, i) => {
    if (!m || typeof m !== 'object' || typeof m.role !== 'string') {
      throw new ConfigError(`messages[${i}] must be an object with a string role`, { field: `messages[${i}]` });
    }
    const content = m.content;
    if (typeof content === 'string' || typeof content === 'function') {
      return { ...m, content: instantiatePrompt(content as Template, context, allowFormat, `messages[${i}].content`) };
    }
    return { ...m };
  });
}
