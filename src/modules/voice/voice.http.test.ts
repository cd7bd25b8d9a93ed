import { afterAll, beforeAll, expect, it } from 'vitest';
import { alexaEnvelope, CHAIN_URL, makeFakeAlexa, SKILL_ID, type FakeAlexa } from '../../../test/fakes/alexa.ts';
import { makeToken } from '../../../test/support/access.ts';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { buildTestApi, type TestApi } from '../../../test/support/http.ts';
import { voiceShop } from '../../../test/support/voice-shop.ts';
import { systemActor } from '../../platform/context.ts';
import { listPurchaseOrders } from '../purchasing/index.ts';

let alexa: FakeAlexa;
beforeAll(() => {
  alexa = makeFakeAlexa();
});
afterAll(() => alexa?.cleanup());

describeEachDatabase('voice over HTTP', (get) => {
  let api: TestApi;
  let shop: Awaited<ReturnType<typeof voiceShop>>;
  let staffToken: string;
  beforeAll(async () => {
    api = await buildTestApi(get().db, { voice: { alexaSkillId: SKILL_ID, alexaTrustedRootsPem: alexa.trustedRootsPem, alexaFetchChain: alexa.fetchChain } });
    shop = await voiceShop({ db: get().db, clock: api.clock, actor: systemActor });
    staffToken = (await makeToken(api, 'staff', [shop.main.id])).secret;
  });
  afterAll(async () => api?.app.close());

  const say = (envelope: unknown, options?: Parameters<FakeAlexa['signed']>[1]) => {
    const { headers, rawBody } = alexa.signed(envelope, options);
    return api.as(null).request('POST', '/api/v1/voice/alexa', { headers, rawBody });
  };
  const intent = (name: string, slots: Record<string, string> = {}, extra: { confirmationStatus?: 'CONFIRMED' | 'DENIED'; accessToken?: string; at?: number } = {}) =>
    alexaEnvelope({ at: extra.at ?? api.clock.now(), accessToken: extra.accessToken ?? api.ownerToken, intent: name, slots, confirmationStatus: extra.confirmationStatus });

  it('answers a text question with the spoken answer, intent and slots', async () => {
    const res = await api.post('/api/v1/voice/ask', { text: 'How many oat milk cartons are at Main Street?' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ speech: 'Oat milk: 6 litres on hand at Main Street.', intent: 'StockAtSiteIntent', slots: { item: 'oat milk cartons', site: 'main street' }, needs_confirmation: false });
    expect((await api.as(null).post('/api/v1/voice/ask', { text: 'what sold best today' })).status).toBe(401);
  });

  it('adds to the next order over text only after a yes carrying the pending intent', async () => {
    const first = await api.post('/api/v1/voice/ask', { text: 'add two cases of coffee beans to the next order' });
    expect(first.body).toMatchObject({ needs_confirmation: true, speech: 'Add two cases of Coffee beans to a new draft order for Harbour Roasters, delivered to Main Street?' });
    expect((await listPurchaseOrders({ db: api.db, clock: api.clock, actor: systemActor }, { vendorId: shop.roasters.id, limit: 5 })).rows).toHaveLength(0);
    const yes = await api.post('/api/v1/voice/ask', { text: 'yes', pending: { intent: first.body.intent, slots: first.body.slots } });
    expect(yes.status).toBe(200);
    expect(yes.body.speech).toMatch(/^Done: two cases of Coffee beans added to draft order PO-\d+ for Harbour Roasters\.$/);
    const pos = (await listPurchaseOrders({ db: api.db, clock: api.clock, actor: systemActor }, { vendorId: shop.roasters.id, limit: 5 })).rows;
    expect(pos.map((p) => p.status)).toEqual(['draft']);
    const refused = await api.post('/api/v1/voice/ask', { text: 'yes', pending: { intent: 'LowStockIntent', slots: { site: 'main street' } } });
    expect([refused.status, refused.body.code]).toEqual([422, 'voice_pending_invalid']);
  });

  it('answers each intent of a signed Alexa request from the linked account', async () => {
    const launch = await say(alexaEnvelope({ at: api.clock.now(), accessToken: api.ownerToken }));
    expect(launch.status).toBe(200);
    expect(launch.body.response.outputSpeech.ssml).toContain('You can ask');
    const stock = await say(intent('StockAtSiteIntent', { Item: 'oat milk cartons', Site: 'main street' }));
    expect(stock.body).toMatchObject({ version: '1.0', response: { outputSpeech: { type: 'SSML', ssml: '<speak>Oat milk: 6 litres on hand at Main Street.</speak>' }, shouldEndSession: true } });
    const low = await say(intent('LowStockIntent', { Site: 'the harbour store' }));
    expect(low.body.response.outputSpeech.ssml).toBe('<speak>2 items are at or below the minimum at Harbour store: Butter croissant with none and Oat milk with 1 litre.</speak>');
    const top = await say(intent('TopSellersIntent'));
    expect(top.body.response.outputSpeech.ssml).toBe('<speak>Nothing has sold yet today.</speak>');
  });

  it('confirms an order line through Alexa’s dialog before writing it', async () => {
    const slots = { Quantity: '1', Unit: 'case', Item: 'coffee beans' };
    const ask = await say(intent('AddToOrderIntent', slots));
    expect(ask.body.response).toMatchObject({
      outputSpeech: { ssml: '<speak>Add one case of Coffee beans to the draft order for Harbour Roasters?</speak>' },
      directives: [{ type: 'Dialog.ConfirmIntent', updatedIntent: { name: 'AddToOrderIntent' } }],
      shouldEndSession: false,
    });
    const ctx = { db: api.db, clock: api.clock, actor: systemActor };
    const linesBefore = await api.get(`/api/v1/purchase-orders/${(await listPurchaseOrders(ctx, { vendorId: shop.roasters.id, limit: 1 })).rows[0]!.id}`);
    const done = await say(intent('AddToOrderIntent', slots, { confirmationStatus: 'CONFIRMED' }));
    expect(done.body.response.outputSpeech.ssml).toMatch(/^<speak>Done: one case of Coffee beans added to draft order PO-\d+ for Harbour Roasters\.<\/speak>$/);
    const linesAfter = await api.get(`/api/v1/purchase-orders/${linesBefore.body.id}`);
    expect(linesAfter.body.lines.length).toBe(linesBefore.body.lines.length + 1);
  });

  it('refuses a bad signature, a foreign certificate URL or chain, an old timestamp and another skill', async () => {
    const body = intent('TopSellersIntent');
    const downloadsBefore = alexa.downloads();
    const expectProblem = async (res: { status: number; body: any }, status: number, code: string) => expect([res.status, res.body.code]).toEqual([status, code]);
    await expectProblem(await say(body, { tamper: true }), 401, 'alexa_signature_invalid');
    for (const url of ['http://s3.amazonaws.com/echo.api/echo-api-cert-test.pem', 'https://notamazon.com/echo.api/echo-api-cert-test.pem', 'https://s3.amazonaws.com/EcHo.aPi/echo-api-cert-test.pem', 'https://s3.amazonaws.com:563/echo.api/echo-api-cert-test.pem', 'https://s3.amazonaws.com/invalid.path/echo-api-cert-test.pem']) {
      await expectProblem(await say(body, { url }), 400, 'alexa_certificate_url_invalid');
    }
    // Allowed by the URL rules: upper-case host, port 443, dot segments resolving under /echo.api/.
    for (const url of ['https://S3.AMAZONAWS.COM/echo.api/echo-api-cert-test.pem', 'https://s3.amazonaws.com:443/echo.api/../echo.api/echo-api-cert-test.pem']) {
      expect((await say(body, { url })).status).toBe(200);
    }
    await expectProblem(await say(body, { key: 'foreign' }), 400, 'alexa_certificate_invalid');
    await expectProblem(await say(body, { key: 'misnamed' }), 400, 'alexa_certificate_invalid');
    await expectProblem(await say(body, { key: 'foreign', url: CHAIN_URL }), 401, 'alexa_signature_invalid');
    await expectProblem(await say(intent('TopSellersIntent', {}, { at: api.clock.now() - 151_000 })), 400, 'alexa_timestamp_invalid');
    // An envelope's timestamp has whole seconds, so an instant is rounded down; counted from the next
    // whole second, it stays more than 150 s ahead of the server's clock, which has moved on meanwhile.
    await expectProblem(await say(intent('TopSellersIntent', {}, { at: Math.ceil(api.clock.now() / 1000) * 1000 + 151_000 })), 400, 'alexa_timestamp_invalid');
    expect((await say(intent('TopSellersIntent', {}, { at: api.clock.now() - 140_000 }))).status).toBe(200);
    await expectProblem(await say(alexaEnvelope({ at: api.clock.now(), accessToken: api.ownerToken, intent: 'TopSellersIntent', skillId: 'amzn1.ask.skill.other' })), 400, 'alexa_skill_mismatch');
    const huge = await api.as(null).request('POST', '/api/v1/voice/alexa', { rawBody: JSON.stringify({ ...(body as object), padding: 'x'.repeat(300_000) }), headers: alexa.signed(body).headers });
    await expectProblem(huge, 413, 'payload_too_large');
    const unsigned = await api.as(null).request('POST', '/api/v1/voice/alexa', { body });
    await expectProblem(unsigned, 400, 'alexa_certificate_url_invalid');
    // The trusted chain, downloaded by an earlier request, came from the cache every time (however its URL was spelled);
    // the two chains that failed were fetched once each, and a URL refused by its shape was never fetched.
    expect(alexa.downloads() - downloadsBefore).toBe(2);
  });

  it('asks an unlinked account to link, and a staff-linked account hears no cost and cannot order', async () => {
    const unlinked = await say(alexaEnvelope({ at: api.clock.now(), intent: 'TopSellersIntent' }));
    expect(unlinked.body.response.card).toEqual({ type: 'LinkAccount' });
    const revokedLike = await say(intent('TopSellersIntent', {}, { accessToken: 'stk_not-a-token' }));
    expect(revokedLike.body.response.card).toEqual({ type: 'LinkAccount' });
    const staff = (name: string, slots: Record<string, string> = {}) => say(intent(name, slots, { accessToken: staffToken }));
    const answers = [
      await staff('StockAtSiteIntent', { Item: 'coffee beans', Site: 'main street' }),
      await staff('LowStockIntent', { Site: 'main street' }),
      await staff('TopSellersIntent'),
      await staff('AddToOrderIntent', { Quantity: '2', Unit: 'cases', Item: 'coffee beans' }),
    ].map((r) => r.body.response.outputSpeech.ssml as string);
    expect(answers[3]).toBe('<speak>Your account cannot change purchase orders. Ask a manager to add it.</speak>');
    // The shop's costs (90.00 a case, 15.00 a kilogram, 1.40 a litre, 0.70 a croissant) are never said.
    for (const speech of answers) expect(speech).not.toMatch(/\b(?:90|15|1\.4|0\.7)\b|cost|\$|£|€/i);
    const harbour = await staff('LowStockIntent', { Site: 'harbour store' });
    expect(harbour.body.response.outputSpeech.ssml).toBe('<speak>I could not find a site called harbour store.</speak>');
  });
});
