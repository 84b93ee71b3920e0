// The unread count in the tab title and which lines become desktop notifications.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Attention } from '../src/page/attention.js';

const room = (text, mention = false) => ({ kind: 'message', sender: 'bob', text, mention });
const privately = (text) => ({ kind: 'private', sender: 'bob (private)', text, mention: false });
const notice = (text) => ({ kind: 'notice', sender: null, text, mention: false });
const own = (text) => ({ kind: 'own', sender: 'you', text, mention: false });

function attention() {
  const titles = [];
  return { titles, attention: new Attention({ title: 'Ciphergram', setTitle: (t) => titles.push(t) }) };
}

const HIDDEN = { hidden: true, focused: false };
const LOOKING = { hidden: false, focused: true };
const ELSEWHERE = { hidden: false, focused: false };

describe('Attention', () => {
  it('counts lines from people in the title while hidden, and clears the count when seen', () => {
    const { titles, attention: a } = attention();
    a.arrived(room('one'), HIDDEN);
    a.arrived(notice('* carl joined'), HIDDEN);
    a.arrived(own('mine'), HIDDEN);
    a.arrived(privately('two'), HIDDEN);
    assert.equal(a.unread, 2);
    assert.deepEqual(titles, ['(1) Ciphergram', '(2) Ciphergram']);
    a.seen();
    assert.equal(a.unread, 0);
    assert.equal(titles.at(-1), 'Ciphergram');
    a.seen();
    assert.equal(titles.length, 3, 'nothing to clear: the title is left alone');
  });

  it('counts nothing while the page is visible', () => {
    const { titles, attention: a } = attention();
    a.arrived(room('seen as it came'), ELSEWHERE);
    assert.equal(a.unread, 0);
    assert.deepEqual(titles, []);
  });

  it('notifies of a private message or a mention when hidden or unfocused, never while the user looks', () => {
    const { attention: a } = attention();
    assert.deepEqual(a.arrived(privately('psst'), HIDDEN), { title: 'bob (private)', body: 'psst' });
    assert.deepEqual(a.arrived(room('alice, look', true), ELSEWHERE), { title: 'bob mentioned you', body: 'alice, look' });
    assert.equal(a.arrived(room('no mention'), HIDDEN), null);
    assert.equal(a.arrived(notice('* alice joined'), HIDDEN), null);
    assert.equal(a.arrived(privately('psst'), LOOKING), null);
    assert.equal(a.arrived(room('alice!', true), LOOKING), null);
  });

  it('shows only the start of a long message', () => {
    const { attention: a } = attention();
    const { body } = a.arrived(privately('x'.repeat(65_000)), HIDDEN);
    assert.equal(body.length, 200);
    assert.ok(body.endsWith('…'));
  });

  it('notifies an end-to-end private message as a private one, and neither counts nor notifies history', () => {
    const { attention: a } = attention();
    assert.deepEqual(a.arrived({ kind: 'private-e2e', sender: 'bob (private, end-to-end)', text: 'sealed', mention: false },
      ELSEWHERE), { title: 'bob (private, end-to-end)', body: 'sealed' });
    assert.equal(a.arrived({ ...room('said before, alice', true), history: true }, HIDDEN), null);
    assert.equal(a.unread, 0);
  });
});
