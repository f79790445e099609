import { Option, type Command } from 'commander';
import type { Redactor } from '../util/redact.js';
import { examples as examplesText } from './help.js';
import type { CliIO } from './io.js';

/**
 * A command declared once (citty's shape): its flags as data, from which the commander options,
 * the parsing of each value, the help text and the type of what `run` receives all come.
 */

/** One flag. `T` is the parsed value; `Always` says the action always gets one (required, or a default). */
export interface Flag<T, Always extends boolean = boolean> {
  readonly help: string;
  /** One letter: `-n`. */
  readonly short?: string;
  /** `<file>`: the flag takes a value; absent: a switch. */
  readonly value?: string;
  /** Parse a value (repeated flags get the previous one); a ConfigError names the flag. (A method: bivariant, so any Flag<T> is a Flag<unknown>.) */
  parse?(raw: string, previous: T | undefined): T;
  readonly required?: boolean;
  readonly default?: T;
  /** `--no-NAME`: true unless given. */
  readonly negate?: boolean;
  readonly choices?: readonly string[];
  /** Phantom: whether the action always receives a value. */
  readonly always?: Always;
}

/** Flags by their camelCase name (`maxTokens` is `--max-tokens`). */
export type Flags = Readonly<Record<string, Flag<unknown>>>;

/** What the action receives for each flag. */
export type FlagValues<F extends Flags> = {
  -readonly [K in keyof F]: F[K] extends Flag<infer T, true> ? T : F[K] extends Flag<infer T, boolean> ? T | undefined : never;
};

/** What every command's action gets: the streams, and the redactor built once per run. */
export interface CliContext {
  io: CliIO;
  redact: Redactor;
}

/** A positional argument: `[config]`, `[models...]`. */
export interface ArgSpec {
  readonly name: string;
  readonly help: string;
  readonly variadic?: boolean;
  /** `<name>`: the command refuses to run without it. */
  readonly required?: boolean;
}

/** A command: name, help, flags, examples, and the action returning the exit code. */
export interface CommandSpec<F extends Flags> {
  readonly name: string;
  readonly description: string;
  readonly args?: readonly ArgSpec[];
  readonly flags: F;
  readonly examples?: ReadonlyArray<readonly [command: string, what: string]>;
  /** Call the library with the parsed flags, render; resolves to the exit code. (A method: bivariant, so any command is a CommandSpec<Flags>.) */
  run(input: { flags: FlagValues<F>; args: Array<string | string[] | undefined>; ctx: CliContext }): Promise<number> | number;
}

/** A command with subcommands (`cache clear|stats`). */
export interface CommandGroup {
  readonly name: string;
  readonly description: string;
  readonly examples?: ReadonlyArray<readonly [command: string, what: string]>;
  readonly commands: ReadonlyArray<CommandSpec<Flags>>;
}

/** Declare a command (the identity, for the types). */
export function defineCommand<F extends Flags>(spec: CommandSpec<F>): CommandSpec<F> {
  return spec;
}

/** Build flags with the right types. */
export const flag = {
  /** `--name <value>`: a string. */
  string: (value: string, help: string, more: Pick<Flag<string>, 'short' | 'choices'> = {}): Flag<string, false> => ({ value, help, ...more }),
  /** `--name <value>`, required. */
  requiredString: (value: string, help: string): Flag<string, true> => ({ value, help, required: true }),
  /** `--name`: a switch. */
  switch: (help: string, more: Pick<Flag<boolean>, 'short'> = {}): Flag<boolean, false> => ({ help, ...more }),
  /** `--no-name`: true unless given. */
  negated: (help: string): Flag<boolean, true> => ({ help, negate: true }),
  /** `--name <v...>`: one or more values. */
  list: (value: string, help: string): Flag<string[], false> => ({ value, help }),
  /** `--name <value>` parsed by `parse`. */
  parsed: <T>(value: string, help: string, parse: (raw: string, previous: T | undefined) => T, more: Pick<Flag<T>, 'short'> = {}): Flag<T, false> => ({ value, help, parse, ...more }),
  /** `--name <value>` parsed by `parse`, with a default. */
  parsedWithDefault: <T>(value: string, help: string, parse: (raw: string, previous: T | undefined) => T, defaultValue: T): Flag<T, true> => ({ value, help, parse, default: defaultValue }),
  /** `--name <value>` with a default. */
  stringWithDefault: (value: string, help: string, defaultValue: string, more: Pick<Flag<string>, 'short'> = {}): Flag<string, true> => ({ value, help, default: defaultValue, ...more }),
};

/** Add a declared command under `parent`; its action sets the exit code through `setExit`. */
export function addCommand(parent: Command, spec: CommandSpec<Flags> | CommandGroup, ctx: CliContext, setExit: (code: number) => void): void {
  const cmd = parent.command(spec.name).description(spec.description);
  if (spec.examples) cmd.addHelpText('after', examplesText(spec.examples));
  if ('commands' in spec) {
    for (const sub of spec.commands) addCommand(cmd, sub, ctx, setExit);
    return;
  }
  for (const arg of spec.args ?? []) {
    const name = `${arg.name}${arg.variadic ? '...' : ''}`;
    cmd.argument(arg.required ? `<${name}>` : `[${name}]`, arg.help);
  }
  for (const [name, f] of Object.entries(spec.flags)) cmd.addOption(optionOf(name, f));
  cmd.action(async (...given: unknown[]) => {
    const args = given.slice(0, spec.args?.length ?? 0) as Array<string | string[] | undefined>;
    const flags = given[args.length] as FlagValues<Flags>;
    setExit(await spec.run({ flags, args, ctx }));
  });
}

// --- internal ---

function optionOf(name: string, f: Flag<unknown>): Option {
  const long = `--${f.negate ? 'no-' : ''}${kebab(name)}`;
  const flags = `${f.short ? `-${f.short}, ` : ''}${long}${f.value ? ` ${f.value}` : ''}`;
  const option = new Option(flags, f.required ? `(required) ${f.help}` : f.help);
  if (f.parse) option.argParser(f.parse as (value: string, previous: unknown) => unknown);
  if (f.default !== undefined) option.default(f.default);
  if (f.choices) option.choices(f.choices);
  if (f.required) option.makeOptionMandatory();
  return option;
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
