import path from 'node:path';
import { CLI_TEST_TIMEOUT_MS } from './support/cli-timeout.ts';
import { beforeAll, expect, it } from 'vitest';
import { systemActor } from '../src/platform/context.ts';
import { getClient } from '../src/modules/oauth/index.ts';
import { describeEachDatabase } from './support/databases.ts';
import { buildTestApi, type TestApi } from './support/http.ts';
import { dbUrlOf, stockroom } from './support/cli.ts';

describeEachDatabase('stockroom oauth client', (get) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await buildTestApi(get().db);
  });

  it('registers an app once with its secret printed, which the token endpoint then accepts', async () => {
    const uri = 'https://layla.amazon.com/api/skill/link/M2CLI';
    const added = await stockroom(['oauth', 'client', 'add', '--name', 'Alexa CLI', '--redirect-uri', uri, '--db', dbUrlOf(get())]);
    expect(added.code, added.stderr).toBe(0);
    const id = /^client_id=(oac_\w+)$/m.exec(added.stdout)![1]!;
    const secret = /^client_secret=(ocs_\S+)$/m.exec(added.stdout)![1]!;
    expect((await getClient({ db: get().db, clock: api.clock, actor: systemActor }, id)).redirect_uris).toEqual([uri]);
    // The secret authenticates: an unknown code is invalid_grant, not invalid_client.
    const res = await api.as(null).request('POST', '/api/v1/oauth/token', {
      rawBody: new URLSearchParams({ grant_type: 'authorization_code', code: 'oco_nope', redirect_uri: uri, code_verifier: 'v'.repeat(43), client_id: id, client_secret: secret }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.body.error).toBe('invalid_grant');
  }, CLI_TEST_TIMEOUT_MS);
});
