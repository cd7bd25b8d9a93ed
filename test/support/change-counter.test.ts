import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { createToken } from '../../src/modules/access/tokens.service.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { systemActor } from '../../src/platform/context.ts';
import { ChangeCounter } from './change-counter.ts';
import { describeEachDatabase } from './databases.ts';

/** The fuzz trusts this counter to say "nothing changed"; here it is held to that. */
describeEachDatabase('the change counter the fuzz relies on', (get) => {
  it('moves with every committed insert, update and delete, and not for a rollback or an ignored column', async () => {
    const { db } = get();
    const counter = await ChangeCounter.install(db, ['api_tokens'], { api_tokens: ['last_used_at'] });
    const start = await counter.read();
    const { token } = await createToken({ db, clock: systemClock, actor: systemActor }, { name: 'watched', role: 'owner', sites: 'all' });
    const afterInsert = await counter.read();
    expect(afterInsert).toBeGreaterThan(start);

    await sql`update api_tokens set last_used_at = ${systemClock.now()} where id = ${token.id}`.execute(db.kysely);
    expect(await counter.read()).toBe(afterInsert);

    await db.kysely.transaction().execute(async (trx) => {
      await sql`update api_tokens set name = 'renamed' where id = ${token.id}`.execute(trx);
      throw new Error('roll back');
    }).catch(() => undefined);
    expect(await counter.read()).toBe(afterInsert);

    await sql`update api_tokens set name = 'renamed' where id = ${token.id}`.execute(db.kysely);
    const afterUpdate = await counter.read();
    expect(afterUpdate).toBeGreaterThan(afterInsert);

    await sql`delete from api_tokens where id = ${token.id}`.execute(db.kysely);
    expect(await counter.read()).toBeGreaterThan(afterUpdate);
  });
});
