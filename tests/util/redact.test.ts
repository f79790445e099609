import { isSecretName, redactCredentialShapes, redactorOf, secretEnvValues } from '../../src/util/redact.js';

describe('only known secrets are redacted', () => {
  it('names that hold credentials, by word', () => {
    for (const name of ['Authorization', 'api-key', 'X-Api-Key', 'x-portkey-api-key', 'X-Gateway-Token', 'OPENAI_API_KEY', 'apiKey', 'AWS_SECRET_ACCESS_KEY', 'DB_PASSWORD', 'Cookie']) expect(isSecretName(name)).toBe(true);
    for (const name of ['x-portkey-provider', 'PORTKEY_PROVIDER', 'SSH_AUTH_SOCK', 'MONKEY', 'x-request-id', 'OPENAI_BASE_URL', 'content-type']) expect(isSecretName(name)).toBe(false);
  });

  it('redacts the values given, longest first, and leaves short values alone', () => {
    const redact = redactorOf(['sk-abcdef123456', 'sk-abcdef', 'on', undefined]);
    expect(redact('key sk-abcdef123456 and sk-abcdef; on')).toBe('key *** and ***; on');
    expect(secretEnvValues({ OPENAI_API_KEY: 'sk-1', PORTKEY_PROVIDER: 'openai', HOME: '/root' })).toEqual(['sk-1']);
  });

  it('credential shapes in text from code that knows no secrets (NODE_DEBUG=http)', () => {
    expect(redactCredentialShapes("authorization: 'Bearer sk-live-1234567890',")).toBe("authorization: 'Bearer ***',");
    expect(redactCredentialShapes("'api-key': 'azure-key-123456', 'x-portkey-provider': 'openai'")).toBe("'api-key': '***', 'x-portkey-provider': 'openai'");
    expect(redactCredentialShapes('"x-gateway-token": "gw-abcdefgh"')).toBe('"x-gateway-token": "***"');
  });
});
