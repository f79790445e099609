import { ConfigError } from '../errors.js';
import type { Locator } from './locator.js';

/**
 * A position in the document: `path` names the field in messages (`search_space.max_tokens`),
 * `line` is the key path whose line is reported; it goes one step deeper for a domain keyword
 * (`max_tokens.lograndint`) or a `{choice: [...]}` list, so block-style YAML points at the right line.
 */
export interface Loc {
  readonly path: readonly string[];
  readonly line: readonly string[];
}

/** `loc` extended by `segments`, in both the field path and the line path. */
export function at(loc: Loc, ...segments: string[]): Loc {
  return { path: [...loc.path, ...segments], line: [...loc.line, ...segments] };
}

/** `loc` with `segment` added to the line path only (a domain keyword or `choice`). */
export function deeper(loc: Loc, segment: string): Loc {
  return { path: loc.path, line: [...loc.line, segment] };
}

/** The location of the mapping itself. */
export const ROOT: Loc = Object.freeze({ path: Object.freeze([]), line: Object.freeze([]) });

/**
 * Where the parser is: the file, the locator and the key path prefix (`search_space`), plus the
 * enclosing choice of sub-spaces when parsing one of its options. It builds located
 * {@link ConfigError}s. Private to `space/`.
 */
export class ParseContext {
  readonly file: string | undefined;
  readonly locate: Locator | undefined;
  readonly basePath: readonly string[];
  /** The key of the enclosing choice of sub-spaces (`temperature_or_top_p` or `model`), if any. */
  readonly group: string | undefined;

  constructor(init: { file?: string; locate?: Locator; basePath?: readonly string[]; group?: string }) {
    this.file = init.file;
    this.locate = init.locate;
    this.basePath = init.basePath ?? ['search_space'];
    this.group = init.group;
    Object.freeze(this);
  }

  /** The same context inside an option of the choice of sub-spaces `group`. */
  inside(group: string): ParseContext {
    const init = { basePath: this.basePath, group };
    return new ParseContext({
      ...init,
      ...(this.file === undefined ? {} : { file: this.file }),
      ...(this.locate === undefined ? {} : { locate: this.locate }),
    });
  }

  /** A ConfigError located at `loc` (relative to the base path). */
  error(loc: Loc, message: string, hint?: string): ConfigError {
    const line = this.locate?.([...this.basePath, ...loc.line]);
    return new ConfigError(message, {
      field: formatField([...this.basePath, ...loc.path]),
      ...(this.file === undefined ? {} : { file: this.file }),
      ...(line === undefined ? {} : { line }),
      ...(hint === undefined ? {} : { hint }),
    });
  }

  /** Runs `build` and adds this location to an unlocated ConfigError it throws (from a domain). */
  wrap<T>(loc: Loc, build: () => T): T {
    try {
      return build();
    } catch (err) {
      if (err instanceof ConfigError && err.field === undefined) throw this.error(loc, err.message, err.hint);
      throw err;
    }
  }
}

/** `['search_space', 'temperature_or_top_p', '1', 'top_p']` → `search_space.temperature_or_top_p[1].top_p`. */
export function formatField(path: readonly string[]): string {
  let out = '';
  for (const segment of path) {
    if (/^\d+$/.test(segment)) out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}
