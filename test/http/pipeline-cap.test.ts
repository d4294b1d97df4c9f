import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import t from 'tap';
import { createPipelineCap, MAX_PENDING_PER_CONNECTION } from '../../src/http/pipeline-cap.js';

const fakeSocket = () =>
  Object.assign(new EventEmitter(), {
    destroyed: false,
    destroy(this: { destroyed: boolean }) {
      this.destroyed = true;
    },
  }) as unknown as Socket & { destroyed: boolean };

t.test('a connection may have max requests waiting; one more closes it, once', async (t) => {
  const floods: Socket[] = [];
  const cap = createPipelineCap(3, (s) => floods.push(s));
  const s = fakeSocket();
  const answers = [new EventEmitter(), new EventEmitter(), new EventEmitter()];
  t.same(
    answers.map((r) => cap(s, r)),
    [true, true, true],
  );
  t.equal(cap(s, new EventEmitter()), false, 'the fourth closes the connection');
  t.ok(s.destroyed);
  t.equal(cap(s, new EventEmitter()), false, 'and nothing more is taken from it');
  t.equal(floods.length, 1, 'told once');
});

t.test('an answer done with frees its place; connections are counted apart', async (t) => {
  const cap = createPipelineCap(2, () => t.fail('no flood'));
  const a = fakeSocket();
  const b = fakeSocket();
  const first = new EventEmitter();
  t.ok(cap(a, first));
  t.ok(cap(a, new EventEmitter()));
  first.emit('close');
  first.emit('close');
  t.ok(cap(a, new EventEmitter()), 'a place came free (a second close frees nothing more)');
  t.ok(cap(b, new EventEmitter()));
  t.ok(cap(b, new EventEmitter()));
  t.notOk(a.destroyed || b.destroyed);
});

t.test('a real client, one request at a time, never comes near the cap', async (t) => {
  const cap = createPipelineCap(MAX_PENDING_PER_CONNECTION, () => t.fail('no flood'));
  const s = fakeSocket();
  for (let i = 0; i < 100; i++) {
    const res = new EventEmitter();
    t.ok(cap(s, res));
    res.emit('close');
  }
  t.ok(MAX_PENDING_PER_CONNECTION >= 1);
});
