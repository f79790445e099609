export { AutotuneError, ConfigError, DatasetError, BudgetError, ProviderError, CacheError, AbortedError } from "./errors.js";
