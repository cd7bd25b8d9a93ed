import type { Command, Option } from 'commander';
import { listClients, registerClient, removeClient } from '../modules/oauth/index.ts';
import { withServiceContext } from './service-context.ts';

/**
 * `stockroom oauth client …`: register the apps people may link to their account (the Alexa
 * skill), list them, remove one (which unlinks everybody who linked it). As the system, through the
 * same services as the API; the secret is printed once.
 */
export function addOauthCommands(program: Command, dbOption: () => Option): void {
  const client = program.command('oauth').description('OAuth account linking (the Alexa skill).').command('client').description('Apps people may link to their account.');
  client
    .command('add')
    .description('Register an app and print its client secret (once: only its hash is kept).')
    .requiredOption('--name <name>', 'what people see on the consent page, such as "Alexa"')
    .requiredOption('--redirect-uri <url...>', 'the exact https redirect URLs (the Alexa console lists three)')
    .addOption(dbOption())
    .action(async (options: { name: string; redirectUri: string[]; db: string }) => {
      for (const uri of options.redirectUri) {
        if (!/^https:\/\/[^#\s]+$/.test(uri)) throw new Error(`${uri} is not an https URL without a fragment`);
      }
      const made = await withServiceContext(options.db, (ctx) => registerClient(ctx, { name: options.name, redirectUris: options.redirectUri, scopes: ['voice'] }));
      console.error(`Registered "${made.client.name}". Client id: ${made.client.id}. Store the secret now; it is not shown again.`);
      console.log(`client_id=${made.client.id}`);
      console.log(`client_secret=${made.secret}`);
    });
  client
    .command('list')
    .description('The registered apps.')
    .addOption(dbOption())
    .action(async (options: { db: string }) => {
      const clients = await withServiceContext(options.db, (ctx) => listClients(ctx));
      for (const c of clients) console.log(`${c.id}\t${c.name}\t${c.scopes.join(' ')}\t${c.redirect_uris.join(' ')}`);
      if (clients.length === 0) console.error('No apps are registered.');
    });
  client
    .command('remove')
    .description('Remove an app: everybody who linked it is unlinked at once.')
    .argument('<client-id>')
    .addOption(dbOption())
    .action(async (id: string, options: { db: string }) => {
      const removed = await withServiceContext(options.db, (ctx) => removeClient(ctx, id));
      console.log(`Removed "${removed.name}" (${removed.id}).`);
    });
}
