import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiUnderTest, startApi } from '../support/api-under-test.ts';

let api: ApiUnderTest;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

describe('GET /healthz', () => {
  it('answers ok to anyone, without a token, and says nothing more', async () => {
    for (const token of [null, 'not-a-token']) {
      const response = await api.call('GET', '/healthz', { token });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(response.text).toBe('ok');
    }
  });
});
