import { beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, serviceContext } from '../../../test/support/databases.ts';
import { q, sell } from '../../../test/support/shop.ts';
import { voiceShop } from '../../../test/support/voice-shop.ts';
import type { Actor, ServiceContext } from '../../platform/context.ts';
import { getPurchaseOrder, listPurchaseOrders } from '../purchasing/index.ts';
import { parsePhrase, VOICE_INTENTS, type Slots } from './phrases.ts';
import { AlexaVerifier, checkCertificateUrl } from './alexa-verify.ts';
import { answerIntent } from './voice.service.ts';
import { matchName, spokenQuantity } from './words.ts';

const staffAt = (siteId: string): Actor => ({ kind: 'user', id: 'usr_STAFF', label: 'staff', role: 'staff', sites: new Set([siteId]) });

it('matches spoken names tolerant of plurals, case and filler words', () => {
  const records = [
    { id: '1', name: 'Oat milk', code: 'MILK-OAT' },
    { id: '2', name: 'Whole milk', code: 'MILK-WHOLE' },
    { id: '3', name: 'Butter croissant', code: 'CROIS-BUT' },
  ];
  expect(matchName('oat milk cartons', records)).toEqual({ kind: 'one', record: records[0] });
  expect(matchName('Butter Croissants', records)).toEqual({ kind: 'one', record: records[2] });
  expect(matchName('croissants', records)).toEqual({ kind: 'one', record: records[2] });
  expect(matchName('milk-whole', records)).toEqual({ kind: 'one', record: records[1] });
  expect(matchName('milk', records)).toEqual({ kind: 'several', records: [records[0], records[1]] });
  expect(matchName('scones', records)).toEqual({ kind: 'none' });
  expect([spokenQuantity('two'), spokenQuantity('a dozen'), spokenQuantity('2.5'), spokenQuantity('twenty four'), spokenQuantity('many')]).toEqual([2000, 12000, 2500, 24000, null]);
});

it('parses the four questions as a shop owner says them', () => {
  expect(parsePhrase('How many oat milk cartons are at Main Street?')).toEqual({ intent: 'StockAtSiteIntent', slots: { item: 'oat milk cartons', site: 'main street' } });
  expect(parsePhrase("What's low at the harbour store")).toEqual({ intent: 'LowStockIntent', slots: { site: 'the harbour store' } });
  expect(parsePhrase('What sold best today?')).toEqual({ intent: 'TopSellersIntent', slots: {} });
  expect(parsePhrase('Add two cases of coffee beans to the next order')).toEqual({ intent: 'AddToOrderIntent', slots: { quantity: 'two', unit: 'cases', item: 'coffee beans' } });
  expect(parsePhrase('add 3 butter croissants to the next order')).toEqual({ intent: 'AddToOrderIntent', slots: { quantity: '3', item: 'butter croissants' } });
  expect(parsePhrase('sing me a song').intent).toBe('unknown');
});

describeEachDatabase('voice answers', (get) => {
  let ctx: ServiceContext & { clock: { now(): number } };
  let shop: Awaited<ReturnType<typeof voiceShop>>;
  beforeAll(async () => {
    ctx = serviceContext(get().db);
    shop = await voiceShop(ctx);
  });
  const ask = (text: string, confirmation: 'none' | 'confirmed' | 'denied' = 'none', actorCtx: ServiceContext = ctx) => {
    const parsed = parsePhrase(text);
    return answerIntent(actorCtx, parsed.intent, parsed.slots, confirmation);
  };

  it('says the stock of an item at a site in its unit', async () => {
    expect((await ask('how many oat milk cartons are at Main Street')).speech).toBe('Oat milk: 6 litres on hand at Main Street.');
    expect((await ask('how many coffee beans are there at main street')).speech).toBe('Coffee beans: 2.5 kilograms on hand at Main Street.');
    expect((await ask('how many coffee beans are at the harbour store')).speech).toBe('Coffee beans: none on hand at Harbour store.');
    expect((await ask('how many scones are at main street')).speech).toBe('I could not find an item called scones.');
    expect((await ask('how many milk are at main street')).speech).toBe('Milk could be Oat milk or Whole milk. Which one?');
  });

  it('lists what is at or below its minimum at a site, emptiest first', async () => {
    expect((await ask('what is low at the harbour store')).speech).toBe('2 items are at or below the minimum at Harbour store: Butter croissant with none and Oat milk with 1 litre.');
    expect((await ask('what is low at main street')).speech).toBe('Nothing is low at Main Street: everything is above its minimum.');
  });

  it('names today’s best sellers by quantity in the shop’s day, without money', async () => {
    expect((await ask('what sold best today')).speech).toBe('Nothing has sold yet today.');
    await sell(ctx, { location_id: shop.main.id, lines: [{ item_id: shop.croissant.id, qty: 5 }], payments: [{ tender: 'cash', amount: '14.00' }] });
    await sell(ctx, { location_id: shop.main.id, lines: [{ item_id: shop.oat.id, qty: 2 }], payments: [{ tender: 'cash', amount: '5.20' }] });
    expect((await ask('what sold best today')).speech).toBe("Today's best sellers are Butter croissant, 5 and Oat milk, 2 litres.");
  });

  it('asks before adding to the preferred vendor’s draft, writes only when confirmed, then adds to the same draft', async () => {
    const before = (await listPurchaseOrders(ctx, { status: 'draft', vendorId: shop.roasters.id, limit: 10 })).rows.length;
    const first = await ask('add two cases of coffee beans to the next order');
    expect(first).toMatchObject({ needsConfirmation: true, speech: 'Add two cases of Coffee beans to a new draft order for Harbour Roasters, delivered to Main Street?' });
    expect((await ask('add two cases of coffee beans to the next order', 'denied')).speech).toBe('Okay, I did not add two cases of Coffee beans.');
    expect((await listPurchaseOrders(ctx, { status: 'draft', vendorId: shop.roasters.id, limit: 10 })).rows.length).toBe(before);

    const done = await ask('add two cases of coffee beans to the next order', 'confirmed');
    expect(done.needsConfirmation).toBe(false);
    const drafts = (await listPurchaseOrders(ctx, { status: 'draft', vendorId: shop.roasters.id, limit: 10 })).rows;
    expect(drafts.length).toBe(before + 1);
    expect(done.speech).toBe(`Done: two cases of Coffee beans added to draft order ${drafts[0]!.number} for Harbour Roasters.`);

    expect((await ask('add 1 case of coffee beans to the next order')).speech).toBe('Add one case of Coffee beans to the draft order for Harbour Roasters?');
    await ask('add 1 case of coffee beans to the next order', 'confirmed');
    const po = await getPurchaseOrder(ctx, drafts[0]!.id);
    expect(po.lines.map((l) => [l.unit, l.qty, l.qty_base])).toEqual([['case', q(2), q(12)], ['case', q(1), q(6)]]);
  });

  it('says what it cannot do rather than doing it: no vendor, a unit the item is not bought in, a staff account', async () => {
    expect((await ask('add two cases of oat milk to the next order', 'confirmed')).speech).toBe("Oat milk has no vendor yet. Add one on the item's page first.");
    expect((await ask('add two sacks of coffee beans to the next order')).speech).toBe('Coffee beans is not bought in sacks. It comes in kilograms and cases.');
    const staff = { ...ctx, actor: staffAt(shop.main.id) };
    expect((await ask('add two cases of coffee beans to the next order', 'confirmed', staff)).speech).toBe('Your account cannot change purchase orders. Ask a manager to add it.');
  });

  it('answers a staff account only about its own sites', async () => {
    const staff = { ...ctx, actor: staffAt(shop.main.id) };
    expect((await ask('how many oat milk are at main street', 'none', staff)).speech).toBe('Oat milk: 4 litres on hand at Main Street.');
    expect((await ask('what is low at the harbour store', 'none', staff)).speech).toBe('I could not find a site called the harbour store.');
  });
});

it('ships an interaction model whose intents, slots and samples the text endpoint understands alike', async () => {
  const { readFileSync } = await import('node:fs');
  const model = JSON.parse(readFileSync(new URL('../../../docs/alexa/interaction-model.json', import.meta.url), 'utf8')).interactionModel.languageModel;
  const ours = model.intents.filter((i: { name: string }) => !i.name.startsWith('AMAZON.'));
  expect(ours.map((i: { name: string }) => i.name).sort()).toEqual([...VOICE_INTENTS].sort());
  const example: Record<string, string> = { Item: 'oat milk', Site: 'main street', Quantity: '2', Unit: 'cases' };
  const ourSlot: Record<string, keyof Slots> = { Item: 'item', Site: 'site', Quantity: 'quantity', Unit: 'unit' };
  for (const intent of ours as Array<{ name: string; samples: string[]; slots: Array<{ name: string }> }>) {
    for (const sample of intent.samples) {
      const parsed = parsePhrase(sample.replace(/\{(\w+)\}/g, (_, slot: string) => example[slot]!));
      const expected = Object.fromEntries([...sample.matchAll(/\{(\w+)\}/g)].map(([, slot]) => [ourSlot[slot!], example[slot!]]));
      expect({ sample, parsed }).toEqual({ sample, parsed: { intent: intent.name, slots: expected } });
    }
  }
});

it('refuses every Alexa request when no skill id is configured, and checks the chain URL as Amazon specifies', async () => {
  const verifier = new AlexaVerifier({ clock: { now: () => Date.now() }, skillId: null });
  await expect(verifier.verify({ certificateUrl: undefined, signature: undefined, rawBody: Buffer.alloc(0), timestamp: undefined, applicationId: undefined })).rejects.toMatchObject({ code: 'alexa_not_configured', status: 404 });
  expect(checkCertificateUrl('https://s3.amazonaws.com/echo.api/echo-api-cert.pem')).toBe('https://s3.amazonaws.com/echo.api/echo-api-cert.pem');
  expect(checkCertificateUrl('https://s3.amazonaws.com:443/echo.api/../echo.api/echo-api-cert.pem')).toBe('https://s3.amazonaws.com/echo.api/echo-api-cert.pem');
  for (const bad of ['http://s3.amazonaws.com/echo.api/c.pem', 'https://notamazon.com/echo.api/c.pem', 'https://s3.amazonaws.com/EcHo.aPi/c.pem', 'https://s3.amazonaws.com:563/echo.api/c.pem', 'https://s3.amazonaws.com/invalid.path/c.pem', 'not a url', undefined]) {
    expect(() => checkCertificateUrl(bad), String(bad)).toThrow(expect.objectContaining({ code: 'alexa_certificate_url_invalid' }));
  }
});
