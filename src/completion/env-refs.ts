import { ConfigError } from '../errors.js';

/** Environment variables as a plain map, read once at the edge and passed down. */
export type Env = Readonly<Record<string, string | undefined>>;

const REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Expand `${VAR}` references in a string from `env`, at use time only: configs keep the
 * references, so saved files and logs never hold the values. A missing variable is an error
 * naming the variable and the field (never a value).
 */
export function expandEnvRefs(value: string, env: Env, field: string): string {
  return value.replace(REF, (_m, name: string) => {
    const v = env[name];
    if (v === undefined || v === '') {
      throw new ConfigError(`environment variable ${name} is not set`, {
        code: 'E_ENV_MISSING',
        field,
        hint: `export ${name}=… before running, or write the value in the config`,
      });
    }
    return v;
  });
}

/** True when a string holds at least one `${VAR}` reference. */
export function hasEnvRef(value: string): boolean {
  REF.lastIndex = 0;
  return REF.test(value);
}

/** The names of the variables a string refers to with `${VAR}`. */
export function referencedVars(value: string): string[] {
  return [...value.matchAll(REF)].map((m) => m[1] as string);
}
