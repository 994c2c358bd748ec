export { loadConfig, formatConfigErrors, deepMerge, DEFAULT_CONFIG_FILE } from './load.js';
export type { ConfigIssue, FlagSetting, LoadOptions, LoadResult } from './load.js';
export { ConfigSchema } from './schema.js';
export type { Config, TokenConfig } from './schema.js';
