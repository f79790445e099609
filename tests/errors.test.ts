import { ConfigError, AutotuneError } from '../src/errors.js';

describe('AutotuneError', () => {
  it('carries a location prefix and exit code 2 for config errors', () => {
    const err = new ConfigError('bad range', { file: 'tune.yaml', line: 12, field: 'search_space.max_tokens', hint: 'swap them' });
    expect(err).toBeInstanceOf(AutotuneError);
    expect(err.exitCode).toBe(2);
    expect(err.location).toBe('tune.yaml:12: search_space.max_tokens');
    expect(err.name).toBe('ConfigError');
  });
});
