import { ConfigError } from '../errors.js';
import { capabilitiesOf, refusal, type CapabilityOverrides, type ModelCapabilities } from '../completion/model-capabilities.js';
import { ChoiceDomain, ConstDomain, SubSpace, type Domain } from '../space/domains.js';
import { SearchSpace } from '../space/search-space.js';

/** What conditioning changed, to be said on stderr and in the log. */
export interface ConditionedSpace {
  space: SearchSpace;
  notes: string[];
}

/** Where a refused key of the user's is reported (file and line for the ConfigError). */
export interface ConditionContext {
  overrides?: CapabilityOverrides | undefined;
  /** Keys the user wrote (the others came from the default space). */
  given: ReadonlySet<string>;
  file?: string | undefined;
  lineOf?: ((path: readonly string[]) => number | undefined) | undefined;
}

/**
 * The space conditioned on the model, like the original's per-model sub-spaces: a model is only
 * ever sampled with what it accepts (model-capabilities.ts). For a choice of models that accept
 * different things, the keys they disagree on move into one sub-space per model, holding only
 * the values that model takes (o4-mini gets `reasoning_effort` low/medium/high of the four
 * asked; gpt-4o-mini none, and keeps its temperature). A key of the user's that no model of the
 * space can take, or one written in a model's own option (a hierarchical `model:` list) that
 * this model cannot take, is a ConfigError (exit 2) naming the key and the model, before any
 * request; a default key a model cannot take is left out for it. Pure.
 */
export function conditionOnModel(space: SearchSpace, ctx: ConditionContext): ConditionedSpace {
  const modelDomain = space.entries['model'];
  const choices = modelOptions(modelDomain);
  if (!choices) return { space, notes: [] };
  const models = choices.map((c) => c.model);
  const caps = models.map((m) => capabilitiesOf(m, ctx.overrides));
  if (caps.every((c) => c === undefined)) return { space, notes: [] };
  const notes: string[] = [];
  // a key the user wrote inside a model's own option is for that model: refused, it is an error
  const own = choices.map((c, i) => {
    const out: Record<string, Domain> = {};
    for (const [key, domain] of Object.entries(c.own)) {
      const kept = caps[i] ? conditionDomain(c.model, caps[i]!, key, domain, ctx, notes) : domain;
      if (kept === undefined) throw refusedError(key, c.model, `${c.model} does not take it`, ctx, ['search_space', 'model', String(i), key]);
      out[key] = kept;
    }
    return out;
  });
  const perModel = models.map((model, i) => conditionEntries(model, caps[i], space.entries, ctx, notes));
  // keys every model keeps as they are stay at the top; the others move into per-model sub-spaces
  const keys = Object.keys(space.entries).filter((k) => k !== 'model');
  const shared = keys.filter((k) => perModel.every((e) => e[k] === space.entries[k]));
  const moved = keys.filter((k) => !shared.includes(k));
  for (const key of moved) {
    if (!ctx.given.has(key) || perModel.some((e) => e[key] !== undefined)) continue;
    throw refusedError(key, models.join(', '), 'none of the models in the space takes it', ctx, ['search_space', key]);
  }
  renamedCapNote(models, caps, space.entries, notes);
  const hierarchical = modelDomain instanceof ChoiceDomain && modelDomain.hasSubspaces;
  const ownChanged = own.some((o, i) => Object.keys(o).some((k) => o[k] !== choices[i]?.own[k]));
  if (moved.length === 0 && !ownChanged) return { space, notes };
  const top: Record<string, Domain> = {};
  for (const k of shared) top[k] = space.entries[k] as Domain;
  if (!hierarchical && models.length === 1) {
    for (const k of moved) if (perModel[0]?.[k] !== undefined) top[k] = perModel[0][k] as Domain;
    return { space: new SearchSpace({ model: modelDomain as Domain, ...top }), notes };
  }
  const options = models.map((model, i) => {
    const entries: Record<string, Domain> = { model: new ConstDomain(model, 'model'), ...own[i] };
    for (const k of moved) if (perModel[i]?.[k] !== undefined) entries[k] = perModel[i]![k] as Domain;
    return new SubSpace(entries);
  });
  return { space: new SearchSpace({ model: new ChoiceDomain(options, 'model'), ...top }), notes };
}

/**
 * The models of the space, each with the keys of its own option (a hierarchical `model:` list of
 * sub-spaces); undefined when a model is not a plain name (then the space is left as written).
 */
function modelOptions(domain: Domain | undefined): Array<{ model: string; own: Readonly<Record<string, Domain>> }> | undefined {
  if (domain instanceof ConstDomain) return typeof domain.value === 'string' ? [{ model: domain.value, own: {} }] : undefined;
  if (!(domain instanceof ChoiceDomain)) return undefined;
  if (!domain.hasSubspaces) return domain.options.every((m) => typeof m === 'string') ? domain.options.map((m) => ({ model: m as string, own: {} })) : undefined;
  const out: Array<{ model: string; own: Readonly<Record<string, Domain>> }> = [];
  for (const option of domain.options) {
    const { model, ...own } = (option as SubSpace).entries;
    if (!(model instanceof ConstDomain) || typeof model.value !== 'string') return undefined;
    out.push({ model: model.value, own });
  }
  return out;
}

/** One model's entries: each key as it may be sampled for that model, or absent. */
function conditionEntries(model: string, caps: ModelCapabilities | undefined, entries: Readonly<Record<string, Domain>>, ctx: ConditionContext, notes: string[]): Record<string, Domain | undefined> {
  const out: Record<string, Domain | undefined> = {};
  for (const [key, domain] of Object.entries(entries)) {
    if (key === 'model') continue;
    out[key] = caps ? conditionDomain(model, caps, key, domain, ctx, notes) : domain;
  }
  return out;
}

function conditionDomain(model: string, caps: ModelCapabilities, key: string, domain: Domain, ctx: ConditionContext, notes: string[]): Domain | undefined {
  if (key === 'temperature_or_top_p' && domain instanceof ChoiceDomain && domain.hasSubspaces) {
    const kept = domain.options.filter((o) => Object.entries((o as SubSpace).entries).every(([k, d]) => domainAccepted(caps, k, d)));
    if (kept.length === domain.options.length) return domain;
    notes.push(`${model}: ${key} is not sampled (${model} takes only the default temperature and top_p)`);
    return kept.length === 0 ? undefined : new ChoiceDomain(kept, key);
  }
  if (domain instanceof ChoiceDomain && !domain.hasSubspaces) {
    const kept = domain.options.filter((v) => refusal(caps, key, v) === undefined);
    if (kept.length === domain.options.length) return domain;
    if (kept.length === 0) {
      notes.push(`${model}: ${key} is not sampled (${refusal(caps, key, domain.options[0])})`);
      return undefined;
    }
    const dropped = domain.options.filter((v) => !kept.includes(v));
    notes.push(`${model}: ${key} ${dropped.map((v) => JSON.stringify(v)).join(', ')} not sampled (${model} takes ${key} ${kept.map((v) => JSON.stringify(v)).join(', ')})`);
    return kept.length === 1 ? new ConstDomain(kept[0], key) : new ChoiceDomain(kept, key);
  }
  if (domainAccepted(caps, key, domain)) return domain;
  const why = refusal(caps, key, domain instanceof ConstDomain ? domain.value : 0.5) ?? 'does not take it';
  notes.push(`${model}: ${key} is not sampled (${model} ${why})`);
  return undefined;
}

/** Whether every value of the domain is one the model takes (numeric ranges: only a constant 1 for temperature/top_p). */
function domainAccepted(caps: ModelCapabilities, key: string, domain: Domain): boolean {
  if (domain instanceof ConstDomain) return refusal(caps, key, domain.value) === undefined;
  if (domain instanceof ChoiceDomain && !domain.hasSubspaces) return domain.options.every((v) => refusal(caps, key, v) === undefined);
  // a numeric range: the key is taken when any value would be (only temperature/top_p are limited to 1)
  return refusal(caps, key, 0.5) === undefined;
}

function refusedError(key: string, model: string, why: string, ctx: ConditionContext, path: readonly string[]): ConfigError {
  return new ConfigError(`${model}: ${why}`, {
    ...(ctx.file ? { file: ctx.file } : {}),
    line: ctx.lineOf?.(path),
    field: path.join('.'),
    code: 'E_MODEL_PARAMETER',
    hint: `remove ${key}, or add a model that takes it; a model_capabilities: entry can say what a model accepts (docs/models.md)`,
  });
}

/** Say where a config's max_tokens will be sent as max_completion_tokens (never silently). */
function renamedCapNote(models: readonly string[], caps: ReadonlyArray<ModelCapabilities | undefined>, entries: Readonly<Record<string, Domain>>, notes: string[]): void {
  const given = entries['max_tokens'] !== undefined ? 'max_tokens' : entries['max_completion_tokens'] !== undefined ? 'max_completion_tokens' : undefined;
  if (given === undefined) return;
  const renamed = models.filter((_, i) => caps[i] !== undefined && caps[i]!.token_limit !== given);
  if (renamed.length > 0) notes.push(`${given} is sent as ${given === 'max_tokens' ? 'max_completion_tokens' : 'max_tokens'} to ${renamed.join(', ')} (the name ${renamed.length === 1 ? 'that model takes' : 'those models take'})`);
}
