import { systemClock } from '../platform/clock.ts';
import { systemActor, type ServiceContext } from '../platform/context.ts';
import { openDatabase } from '../platform/db/database.ts';
import { AppError } from '../platform/errors.ts';

/**
 * Runs one CLI command as the system against the database at `url`, closing it afterwards. An
 * AppError becomes a plain message in the words the API would use, with the field that was wrong
 * (and its stable code first, where `showCode` asks for it, for scripts that branch on it).
 */
export async function withServiceContext<T>(url: string, work: (ctx: ServiceContext) => Promise<T>, options: { showCode?: boolean } = {}): Promise<T> {
  const db = await openDatabase({ url });
  try {
    return await work({ db, clock: systemClock, actor: systemActor });
  } catch (error) {
    if (error instanceof AppError) {
      const fields = error.errors?.map((e) => ` (${e.field.replace(/^body\./, '')}: ${e.message})`).join('') ?? '';
      throw new Error(`${options.showCode ? `${error.code}: ` : ''}${error.message}${fields}`);
    }
    throw error;
  } finally {
    await db.close();
  }
}
