import t from 'tap';
import { browserCommand } from '../../src/cli/open-browser.js';

t.test('$BROWSER first, with %s; else open or xdg-open', async (t) => {
  t.same(browserCommand({}, 'linux', '/p.html'), ['xdg-open', '/p.html']);
  t.same(browserCommand({}, 'darwin', '/p.html'), ['open', '/p.html']);
  t.same(browserCommand({ BROWSER: 'firefox --new-tab:chromium' }, 'linux', '/p'), ['firefox', '--new-tab', '/p']);
  t.same(browserCommand({ BROWSER: 'w3m %s%%' }, 'linux', '/p'), ['w3m', '/p%']);
  t.same(browserCommand({ BROWSER: ' ' }, 'linux', '/p'), ['xdg-open', '/p']);
});
