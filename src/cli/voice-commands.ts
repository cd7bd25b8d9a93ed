import type { Command, Option } from 'commander';
import { answerIntent, answerText } from '../modules/voice/index.ts';
import { withServiceContext } from './service-context.ts';

/**
 * `stockroom ask "<question>"`: the voice questions from a terminal, answered as the skill would
 * (as the system, so with costs hidden all the same: no voice answer speaks one). Adding to an
 * order asks first, like the skill; `--yes` is the spoken yes.
 */
export function addVoiceCommands(program: Command, dbOption: () => Option): void {
  program
    .command('ask')
    .description('Ask what Alexa answers: "how many oat milk are at Main Street", "what is low at Harbour", "what sold best today", "add two cases of oat milk to the next order".')
    .argument('<question...>', 'the question, in words')
    .option('--yes', 'confirm an order line the answer asks about')
    .addOption(dbOption())
    .action(async (words: string[], options: { db: string; yes?: boolean }) => {
      const speech = await withServiceContext(options.db, async (ctx) => {
        const answer = await answerText(ctx, words.join(' '));
        if (!answer.needsConfirmation) return answer.speech;
        if (!options.yes) return `${answer.speech} (Ask again with --yes to add it.)`;
        return (await answerIntent(ctx, answer.intent, answer.slots, 'confirmed')).speech;
      });
      console.log(speech);
    });
}
