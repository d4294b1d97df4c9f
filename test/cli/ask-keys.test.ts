import t from 'tap';
import { fakeCliContext } from '../helpers/cli-context.js';

t.test('on a terminal: the ID shown, the secret hidden, both trimmed', async (t) => {
  const asked: Array<{ prompt: string; silent?: boolean }> = [];
  const answers = [' AKIATERMINAL12345 ', ' sec/ret+1 '];
  const { askKeys } = await t.mockImport<typeof import('../../src/cli/ask-keys.js')>('../../src/cli/ask-keys.js', {
    read: { read: async (o: { prompt: string; silent?: boolean }) => (asked.push(o), answers.shift()!) },
  });
  const cli = fakeCliContext({ isTTY: true });
  t.same(await askKeys(cli.ctx, 'management'), { accessKeyId: 'AKIATERMINAL12345', secretAccessKey: 'sec/ret+1' });
  t.match(asked, [{ prompt: 'Access key ID for management: ' }, { prompt: 'Secret access key for management: ', silent: true }]);
  t.notOk(asked[0]!.silent);
});
