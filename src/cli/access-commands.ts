import { withServiceContext } from './service-context.ts';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Role, ServiceContext } from '../platform/context.ts';
import {
  ROLES,
  createToken,
  createUser,
  findUserByEmail,
  preparePassword,
  resetUserPassword,
  type SiteGrant,
} from '../modules/access/index.ts';
import { findSiteByCode } from '../modules/locations/index.ts';
import { readPassword } from './prompt.ts';

/**
 * `stockroom user …` and `stockroom token …`: the way in when nobody can sign in yet (or the
 * owner forgot their password). They act as the system, on any database, through the same
 * services as the API.
 */


function positiveDays(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 3650) throw new InvalidArgumentError('a whole number of days from 1 to 3650');
  return n;
}

const withContext = <T>(url: string, work: (ctx: ServiceContext) => Promise<T>): Promise<T> => withServiceContext(url, work);

async function sitesFromCodes(ctx: ServiceContext, role: Role, codes: string[] | undefined): Promise<SiteGrant> {
  if (role === 'owner' || codes?.some((c) => c.toLowerCase() === 'all')) return 'all';
  const sites: string[] = [];
  for (const code of codes ?? []) {
    const site = await findSiteByCode(ctx.db.kysely, code);
    if (!site) throw new Error(`no site with the code ${code}`);
    sites.push(site.id);
  }
  return sites;
}

export function addAccessCommands(program: Command, dbOption: () => Option): void {
  const roleOption = () => new Option('--role <role>', 'owner, manager, staff or viewer').choices(ROLES).makeOptionMandatory();
  const siteOption = () => new Option('--site <code...>', 'site codes to grant (MAIN, WH, …), or all; owners have every site');

  const user = program.command('user').description('Add users and reset passwords.');
  user
    .command('add')
    .description('Add a user. The password is asked for (without echo), or read from the first line of standard input.')
    .requiredOption('--email <email>', 'their email, which they sign in with')
    .addOption(roleOption())
    .option('--name <name>', 'their name (default: the part of the email before @)')
    .addOption(siteOption())
    .addOption(dbOption())
    .action(async (options: { email: string; role: Role; name?: string; site?: string[]; db: string }) => {
      const name = options.name ?? options.email.split('@')[0] ?? options.email;
      const password = await readPassword(`Password for ${options.email}: `, 'Again: ');
      // Hash before the database is opened, let alone a transaction.
      const passwordHash = await preparePassword(password, { email: options.email, name });
      const added = await withContext(options.db, async (ctx) =>
        createUser(ctx, { email: options.email, name, role: options.role, sites: await sitesFromCodes(ctx, options.role, options.site), passwordHash }),
      );
      const where = added.sites === 'all' ? 'every site' : `${added.sites.length} site(s)`;
      console.log(`Added ${added.role} ${added.email} (${added.id}), covering ${where}. They can sign in now.`);
    });

  user
    .command('password')
    .description('Set a new password for a user (ends their sessions and lifts a sign-in lock).')
    .requiredOption('--email <email>', 'the user’s email')
    .addOption(dbOption())
    .action(async (options: { email: string; db: string }) => {
      const password = await readPassword(`New password for ${options.email}: `, 'Again: ');
      const passwordHash = await preparePassword(password, { email: options.email });
      await withContext(options.db, async (ctx) => {
        const found = await findUserByEmail(ctx.db.kysely, options.email);
        if (!found) throw new Error(`no user with the email ${options.email}`);
        await resetUserPassword(ctx, found.id, passwordHash);
      });
      console.log(`Set a new password for ${options.email}; their sessions have ended.`);
    });

  const token = program.command('token').description('Make API tokens.');
  token
    .command('create')
    .description('Make an API token and print it (once: only its hash is kept).')
    .requiredOption('--name <name>', 'what it is for, such as "webshop sync"')
    .addOption(roleOption())
    .addOption(siteOption())
    .addOption(new Option('--expires-in-days <n>', 'days until it stops working (default: never)').argParser(positiveDays))
    .addOption(dbOption())
    .action(async (options: { name: string; role: Role; site?: string[]; expiresInDays?: number; db: string }) => {
      const made = await withContext(options.db, async (ctx) =>
        createToken(ctx, {
          name: options.name,
          role: options.role,
          sites: await sitesFromCodes(ctx, options.role, options.site),
          expiresInDays: options.expiresInDays,
        }),
      );
      console.error(`Made ${made.token.role} token "${made.token.name}" (${made.token.id}). Store it now; it is not shown again.`);
      console.log(made.secret);
    });
}
