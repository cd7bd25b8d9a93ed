import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { alexaEnvelope, makeFakeAlexa, SKILL_ID, type FakeAlexa } from '../../../test/fakes/alexa.ts';
import { makeUser, signIn, type SignedIn } from '../../../test/support/access.ts';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { buildTestApi, type TestApi } from '../../../test/support/http.ts';
import { voiceShop } from '../../../test/support/voice-shop.ts';
import { systemActor } from '../../platform/context.ts';
import { ACCESS_TOKEN_TTL_MS, CODE_TTL_MS, s256 } from './index.ts';

const LAYLA = 'https://layla.amazon.com/api/skill/link/M2TESTVENDOR';
const PITANGUI = 'https://pitangui.amazon.com/api/skill/link/M2TESTVENDOR';

let alexa: FakeAlexa;
beforeAll(() => {
  alexa = makeFakeAlexa();
});
afterAll(() => alexa?.cleanup());

describeEachDatabase('OAuth account linking over HTTP', (get) => {
  let api: TestApi;
  let shop: Awaited<ReturnType<typeof voiceShop>>;
  let client: { id: string; client_secret: string };
  let staff: SignedIn & { userId: string };
  let manager: SignedIn & { userId: string };

  beforeAll(async () => {
    api = await buildTestApi(get().db, { voice: { alexaSkillId: SKILL_ID, alexaTrustedRootsPem: alexa.trustedRootsPem, alexaFetchChain: alexa.fetchChain } });
    shop = await voiceShop({ db: get().db, clock: api.clock, actor: systemActor });
    const made = await api.post('/api/v1/oauth/clients', { name: 'Alexa', redirect_uris: [LAYLA, PITANGUI] });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ name: 'Alexa', redirect_uris: [LAYLA, PITANGUI], scopes: ['voice'] });
    expect(made.body.client_secret).toMatch(/^ocs_/);
    client = made.body;
    const staffUser = await makeUser(api, 'staff', [shop.main.id]);
    staff = { ...(await signIn(api, staffUser.email, staffUser.password)), userId: staffUser.user.id };
    const managerUser = await makeUser(api, 'manager', 'all');
    manager = { ...(await signIn(api, managerUser.email, managerUser.password)), userId: managerUser.user.id };
  });
  afterAll(async () => api?.app.close());

  const basic = (id = client.id, secret = client.client_secret) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
  const token = (fields: Record<string, string>, authorization: string | null = basic()) =>
    api.as(null).request('POST', '/api/v1/oauth/token', {
      rawBody: new URLSearchParams(fields).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization ? { authorization } : {}) },
    });
  const newVerifier = () => randomBytes(48).toString('base64url');
  const authorizeQuery = (challenge: string, extra: Record<string, string> = {}) =>
    new URLSearchParams({ response_type: 'code', client_id: client.id, redirect_uri: LAYLA, scope: 'voice', state: 'st-123', code_challenge: challenge, code_challenge_method: 'S256', ...extra });

  /** The consent page's two calls, as the signed-in person; returns the code from the redirect. */
  async function approve(who: SignedIn, verifier: string): Promise<string> {
    const query = authorizeQuery(s256(verifier));
    const shown = await api.as({ session: who.session }).get(`/api/v1/oauth/authorize?${query}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ client: { id: client.id, name: 'Alexa' }, redirect_uri: LAYLA, scopes: ['voice'] });
    const decided = await api.as({ session: who.session, csrf: who.csrf }).post('/api/v1/oauth/authorize', { ...Object.fromEntries(query), approve: true });
    expect(decided.status).toBe(200);
    const redirect = new URL(decided.body.redirect_to);
    expect(`${redirect.origin}${redirect.pathname}`).toBe(LAYLA);
    expect(redirect.searchParams.get('state')).toBe('st-123');
    return redirect.searchParams.get('code')!;
  }

  async function link(who: SignedIn): Promise<{ access_token: string; refresh_token: string; code: string; verifier: string }> {
    const verifier = newVerifier();
    const code = await approve(who, verifier);
    const res = await token({ grant_type: 'authorization_code', code, redirect_uri: LAYLA, code_verifier: verifier });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: ACCESS_TOKEN_TTL_MS / 1000, scope: 'voice' });
    return { ...res.body, code, verifier };
  }

  const say = (accessToken: string, intent: string, slots: Record<string, string> = {}) => {
    const { headers, rawBody } = alexa.signed(alexaEnvelope({ at: api.clock.now(), accessToken, intent, slots }));
    return api.as(null).request('POST', '/api/v1/voice/alexa', { headers, rawBody });
  };
  const speech = (res: { body: any }) => res.body.response.outputSpeech?.ssml as string | undefined;
  const isLinkCard = (res: { body: any }) => res.body.response.card?.type === 'LinkAccount';

  it('links a staff account through consent, PKCE and the token endpoint, and Alexa answers as that person without costs', async () => {
    const linked = await link(staff);
    const answers = [
      await say(linked.access_token, 'StockAtSiteIntent', { Item: 'coffee beans', Site: 'main street' }),
      await say(linked.access_token, 'LowStockIntent', { Site: 'main street' }),
      await say(linked.access_token, 'TopSellersIntent'),
      await say(linked.access_token, 'AddToOrderIntent', { Quantity: '2', Unit: 'cases', Item: 'coffee beans' }),
    ].map((r) => speech(r)!);
    expect(answers[0]).toMatch(/^<speak>Coffee beans: .* on hand at Main Street\.<\/speak>$/);
    expect(answers[3]).toBe('<speak>Your account cannot change purchase orders. Ask a manager to add it.</speak>');
    for (const s of answers) expect(s).not.toMatch(/\b(?:90|15|1\.4|0\.7)\b|cost|\$|£|€/i);
    // Only the sites the person is granted: Harbour is not one of them.
    expect(speech(await say(linked.access_token, 'LowStockIntent', { Site: 'harbour store' }))).toBe('<speak>I could not find a site called harbour store.</speak>');
    // The access token is for Alexa only: it is no API credential.
    expect((await api.as({ bearer: linked.access_token }).post('/api/v1/voice/ask', { text: 'what sold best today' })).status).toBe(401);

    const apps = await api.as({ session: staff.session }).get(`/api/v1/users/${staff.userId}/linked-apps`);
    expect(apps.body.data).toEqual([expect.objectContaining({ client_id: client.id, client_name: 'Alexa', scopes: ['voice'], last_used_at: expect.any(String) })]);
  });

  it('a manager’s link can add to an order after Alexa’s confirmation', async () => {
    const linked = await link(manager);
    const ask = await say(linked.access_token, 'AddToOrderIntent', { Quantity: '1', Unit: 'case', Item: 'coffee beans' });
    expect(speech(ask)).toMatch(/^<speak>Add one case of Coffee beans to (a new|the) draft order for Harbour Roasters/);
  });

  it('refuses a wrong verifier, another redirect URI, a wrong client secret, a code of another client, and an expired code', async () => {
    const verifier = newVerifier();
    const code = await approve(staff, verifier);
    const grant = { grant_type: 'authorization_code', code, redirect_uri: LAYLA, code_verifier: verifier };
    const expectError = (res: { status: number; body: any }, status: number, error: string) => expect([res.status, res.body.error]).toEqual([status, error]);
    expectError(await token({ ...grant, code_verifier: newVerifier() }), 400, 'invalid_grant');
    expectError(await token({ ...grant, redirect_uri: PITANGUI }), 400, 'invalid_grant');
    const wrongSecret = await token(grant, basic(client.id, 'ocs_wrong'));
    expectError(wrongSecret, 401, 'invalid_client');
    expect(wrongSecret.headers['www-authenticate']).toMatch(/^Basic/);
    expectError(await token(grant, basic('oac_01NOSUCHCLIENT00000000000', client.client_secret)), 401, 'invalid_client');
    expectError(await token({ ...grant, client_id: client.id, client_secret: 'ocs_wrong' }, null), 401, 'invalid_client');
    expectError(await token({ ...grant, grant_type: 'password' }), 400, 'unsupported_grant_type');
    expectError(await token({ ...grant, code_verifier: '' }), 400, 'invalid_request');
    const other = (await api.post('/api/v1/oauth/clients', { name: 'Other', redirect_uris: [LAYLA] })).body;
    expectError(await token(grant, basic(other.id, other.client_secret)), 400, 'invalid_grant');
    // None of these spent the code: the right request, with the secret in the body this time, still works.
    const ok = await token({ ...grant, client_id: client.id, client_secret: client.client_secret }, null);
    expect(ok.status).toBe(200);

    const late = newVerifier();
    const lateCode = await approve(staff, late);
    api.clock.advance(CODE_TTL_MS + 1);
    expectError(await token({ grant_type: 'authorization_code', code: lateCode, redirect_uri: LAYLA, code_verifier: late }), 400, 'invalid_grant');
  });

  it('refuses a second use of a code and revokes the tokens the first use gave', async () => {
    const linked = await link(staff);
    expect(isLinkCard(await say(linked.access_token, 'TopSellersIntent'))).toBe(false);
    const again = await token({ grant_type: 'authorization_code', code: linked.code, redirect_uri: LAYLA, code_verifier: linked.verifier });
    expect([again.status, again.body.error]).toEqual([400, 'invalid_grant']);
    expect(isLinkCard(await say(linked.access_token, 'TopSellersIntent'))).toBe(true);
    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: linked.refresh_token });
    expect([refreshed.status, refreshed.body.error]).toEqual([400, 'invalid_grant']);
  });

  it('rotates refresh tokens: the old one is refused, and its replay unlinks', async () => {
    const linked = await link(staff);
    api.clock.advance(ACCESS_TOKEN_TTL_MS + 1);
    expect(isLinkCard(await say(linked.access_token, 'TopSellersIntent'))).toBe(true);
    const first = await token({ grant_type: 'refresh_token', refresh_token: linked.refresh_token });
    expect(first.status).toBe(200);
    expect(first.body.refresh_token).not.toBe(linked.refresh_token);
    expect(isLinkCard(await say(first.body.access_token, 'TopSellersIntent'))).toBe(false);
    const replay = await token({ grant_type: 'refresh_token', refresh_token: linked.refresh_token });
    expect([replay.status, replay.body.error]).toEqual([400, 'invalid_grant']);
    // A replayed refresh token means it leaked: the whole link goes.
    expect(isLinkCard(await say(first.body.access_token, 'TopSellersIntent'))).toBe(true);
    expect((await token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token })).body.error).toBe('invalid_grant');
  });

  it('unlinks from the Users page: the next Alexa request gets the LinkAccount card; only the person or an owner may', async () => {
    const linked = await link(staff);
    const apps = (await api.as({ session: staff.session }).get(`/api/v1/users/${staff.userId}/linked-apps`)).body.data;
    expect(apps).toHaveLength(1); // linking again replaced the earlier links
    const grantId = apps[0].id;
    // Another non-owner neither sees nor revokes it.
    expect((await api.as({ session: manager.session }).get(`/api/v1/users/${staff.userId}/linked-apps`)).status).toBe(404);
    const foreign = await api.as({ session: manager.session, csrf: manager.csrf }).delete(`/api/v1/oauth/linked-apps/${grantId}`);
    expect([foreign.status, foreign.body.code]).toEqual([404, 'oauth_grant_not_found']);
    expect(isLinkCard(await say(linked.access_token, 'TopSellersIntent'))).toBe(false);
    const revoked = await api.as({ session: staff.session, csrf: staff.csrf }).delete(`/api/v1/oauth/linked-apps/${grantId}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked_at).not.toBeNull();
    expect(isLinkCard(await say(linked.access_token, 'TopSellersIntent'))).toBe(true);
    expect((await token({ grant_type: 'refresh_token', refresh_token: linked.refresh_token })).body.error).toBe('invalid_grant');

    // An owner revokes anyone's.
    const again = await link(staff);
    const id = (await api.get(`/api/v1/users/${staff.userId}/linked-apps`)).body.data[0].id;
    expect((await api.delete(`/api/v1/oauth/linked-apps/${id}`)).status).toBe(200);
    expect(isLinkCard(await say(again.access_token, 'TopSellersIntent'))).toBe(true);
  });

  it('answers a denial with access_denied, and never redirects to an unregistered URI', async () => {
    const query = authorizeQuery(s256(newVerifier()));
    const denied = await api.as({ session: staff.session, csrf: staff.csrf }).post('/api/v1/oauth/authorize', { ...Object.fromEntries(query), approve: false });
    const url = new URL(denied.body.redirect_to);
    expect([url.searchParams.get('error'), url.searchParams.get('state'), url.searchParams.get('code')]).toEqual(['access_denied', 'st-123', null]);
    const as = api.as({ session: staff.session });
    const challenge = s256(newVerifier());
    const bad = await as.get(`/api/v1/oauth/authorize?${authorizeQuery(challenge, { redirect_uri: 'https://evil.example/cb' })}`);
    expect([bad.status, bad.body.code, bad.body.redirect_to]).toEqual([400, 'oauth_redirect_uri_mismatch', undefined]);
    expect((await as.get(`/api/v1/oauth/authorize?${authorizeQuery(challenge, { redirect_uri: `${LAYLA}/` })}`)).body.code).toBe('oauth_redirect_uri_mismatch');
    expect((await as.get(`/api/v1/oauth/authorize?${authorizeQuery(challenge, { client_id: 'oac_NOPE' })}`)).body.code).toBe('oauth_client_unknown');
    const plain = await as.get(`/api/v1/oauth/authorize?${authorizeQuery('x'.repeat(43), { code_challenge_method: 'plain' })}`);
    expect([plain.status, plain.body.code, plain.body.error]).toEqual([400, 'oauth_request_invalid', 'invalid_request']);
    expect(new URL(plain.body.redirect_to).searchParams.get('error')).toBe('invalid_request');
    const noPkce = new URLSearchParams(authorizeQuery(challenge));
    noPkce.delete('code_challenge');
    noPkce.delete('code_challenge_method');
    expect((await as.get(`/api/v1/oauth/authorize?${noPkce}`)).body.error).toBe('invalid_request');
    expect((await as.get(`/api/v1/oauth/authorize?${authorizeQuery(challenge, { scope: 'voice admin' })}`)).body.error).toBe('invalid_scope');
    // An API token cannot approve: an app is linked to a person.
    const byToken = await api.post('/api/v1/oauth/authorize', { ...Object.fromEntries(authorizeQuery(challenge)), approve: true });
    expect([byToken.status, byToken.body.code]).toEqual([422, 'session_required']);
  });

  it('removing a client unlinks every account linked through it', async () => {
    const other = (await api.post('/api/v1/oauth/clients', { name: 'Temporary', redirect_uris: [LAYLA] })).body;
    const verifier = newVerifier();
    const query = authorizeQuery(s256(verifier), { client_id: other.id });
    const decided = await api.as({ session: staff.session, csrf: staff.csrf }).post('/api/v1/oauth/authorize', { ...Object.fromEntries(query), approve: true });
    const code = new URL(decided.body.redirect_to).searchParams.get('code')!;
    const tokens = (await token({ grant_type: 'authorization_code', code, redirect_uri: LAYLA, code_verifier: verifier }, basic(other.id, other.client_secret))).body;
    expect(isLinkCard(await say(tokens.access_token, 'TopSellersIntent'))).toBe(false);
    expect((await api.delete(`/api/v1/oauth/clients/${other.id}`)).status).toBe(200);
    expect(isLinkCard(await say(tokens.access_token, 'TopSellersIntent'))).toBe(true);
    expect((await api.get(`/api/v1/oauth/clients/${other.id}`)).status).toBe(404);
    expect((await api.post('/api/v1/oauth/clients', { name: 'Bad', redirect_uris: ['http://layla.amazon.com/x'] })).status).toBe(400);
  });
});
