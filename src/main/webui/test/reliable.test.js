// Acks, retransmission and pacing (docs/PROTOCOL.md, "Reliable delivery", "Limits and pacing").

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { DELAYED_ACK_MS } from '../src/protocol/constants.js';
import { Fragmenter } from '../src/protocol/fragmenter.js';
import { ReceiveWindow } from '../src/protocol/receive-window.js';
import { ReliableReceiver } from '../src/protocol/reliable-receiver.js';
import { ReliableSender } from '../src/protocol/reliable-sender.js';
import { RttEstimator } from '../src/protocol/rtt-estimator.js';
import { SendWindow } from '../src/protocol/send-window.js';
import { TokenBucket } from '../src/protocol/token-bucket.js';

function data(sequence, payload = Uint8Array.of(sequence % 256)) {
  return { type: 'data', sequence, messageId: sequence, fragmentIndex: 0, fragmentCount: 1, payload };
}

function fragment(n) {
  return { messageId: n, index: 0, count: 1, payload: Uint8Array.of(n) };
}

const ack = (cumulative, ranges = []) => ({ type: 'ack', cumulative, ranges });

describe('ReceiveWindow', () => {
  it('delays the ack of one in-order fragment by 25 ms', () => {
    const w = new ReceiveWindow();
    assert.equal(w.receive(data(0), 0).outcome, 'in_order');
    assert.equal(w.pollAck(24), null);
    assert.equal(w.ackDueAt, 25);
    assert.deepEqual(w.pollAck(25), ack(1));
    assert.equal(w.pollAck(100), null, 'taking the ack resets the timer');
  });

  it('acks at once with the eighth unacked in-order fragment, not before', () => {
    const w = new ReceiveWindow();
    for (let s = 0; s < 7; s++) {
      w.receive(data(s), s);
    }
    assert.equal(w.pollAck(6), null, 'seven wait for the delay');
    w.receive(data(7), 7);
    assert.deepEqual(w.pollAck(7), ack(8));
  });

  it('acks an out-of-order fragment at once with a selective range, and releases in order when the gap fills', () => {
    const w = new ReceiveWindow();
    assert.equal(w.receive(data(1), 0).outcome, 'out_of_order');
    assert.equal(w.receive(data(2), 0).outcome, 'out_of_order');
    assert.equal(w.receive(data(4), 0).outcome, 'out_of_order');
    assert.deepEqual(w.pollAck(0), ack(0, [{ first: 1, last: 2 }, { first: 4, last: 4 }]));
    const filled = w.receive(data(0), 5);
    assert.equal(filled.outcome, 'in_order');
    assert.deepEqual(filled.released.map((d) => d.sequence), [0, 1, 2]);
    assert.deepEqual(w.pollAck(5), ack(3, [{ first: 4, last: 4 }]), 'a fragment that fills a gap is acked at once');
    assert.equal(w.ackDueAt, 5 + DELAYED_ACK_MS, 'and once more after the delay, should that ack be lost');
    assert.deepEqual(w.pollAck(5 + DELAYED_ACK_MS), ack(3, [{ first: 4, last: 4 }]));
    assert.equal(w.ackDueAt, Infinity, 'once');
  });

  it('drops duplicates and fragments beyond the window, acking at once', () => {
    const w = new ReceiveWindow();
    w.receive(data(0), 0);
    w.pollAck(25);
    assert.equal(w.receive(data(0), 30).outcome, 'duplicate');
    assert.deepEqual(w.pollAck(30), ack(1));
    w.receive(data(3), 31);
    assert.equal(w.receive(data(3), 32).outcome, 'duplicate');
    assert.equal(w.receive(data(65), 33).outcome, 'beyond_window');
    assert.equal(w.receive(data(64), 33).outcome, 'out_of_order', 'the window reaches 64 past the cumulative ack');
    assert.equal(w.bufferedCount, 2);
  });

  it('describes the whole window in at most 32 ranges, lowest first', () => {
    const w = new ReceiveWindow();
    for (let s = 1; s < 64; s += 2) {
      w.receive(data(s), 0);
    }
    const a = w.currentAck();
    assert.equal(a.ranges.length, 32, 'every other sequence missing: the most ranges a window can need');
    assert.deepEqual(a.ranges[0], { first: 1, last: 1 });
    assert.deepEqual(a.ranges[31], { first: 63, last: 63 });
    const capped = new ReceiveWindow({ maxAckRanges: 2 }).currentAck();
    assert.deepEqual(capped.ranges, []);
    const small = new ReceiveWindow({ maxAckRanges: 2 });
    [2, 4, 6].forEach((s) => small.receive(data(s), 0));
    assert.deepEqual(small.currentAck().ranges, [{ first: 2, last: 2 }, { first: 4, last: 4 }]);
  });
});

describe('ReliableReceiver', () => {
  it('delivers each message once, whole and in order, whatever the arrival order', () => {
    const r = new ReliableReceiver();
    const fragments = new Fragmenter().split(new Uint8Array(3000).fill(7));
    const frames = fragments.map((f, i) => ({
      type: 'data', sequence: i, messageId: f.messageId, fragmentIndex: f.index, fragmentCount: f.count, payload: f.payload,
    }));
    assert.deepEqual(r.onData(frames[2], 0), []);
    assert.deepEqual(r.onData(frames[1], 0), []);
    assert.deepEqual(r.onData(frames[1], 0), []);
    const messages = r.onData(frames[0], 0);
    assert.equal(messages.length, 1);
    assert.deepEqual(messages[0], new Uint8Array(3000).fill(7));
    assert.deepEqual(r.onData(frames[0], 0), [], 'a retransmission after delivery is not delivered again');
  });
});

describe('SendWindow', () => {
  it('retransmits on its timer, doubling it each time (RTO 1 s before any sample)', () => {
    const w = new SendWindow(new RttEstimator());
    w.send(fragment(0), 0);
    assert.deepEqual(w.retransmissionsDue(999), []);
    assert.deepEqual(w.retransmissionsDue(1000).map((d) => d.sequence), [0]);
    assert.equal(w.nextTimeout, 1000 + 2000);
    assert.deepEqual(w.retransmissionsDue(2999), []);
    assert.deepEqual(w.retransmissionsDue(3000).map((d) => d.sequence), [0]);
    assert.equal(w.nextTimeout, 3000 + 4000);
  });

  it('forgets what an Ack covers, cumulatively or selectively, and ignores an Ack of what was never sent', () => {
    const w = new SendWindow(new RttEstimator());
    for (let i = 0; i < 5; i++) {
      w.send(fragment(i), 0);
    }
    assert.equal(w.onAck(ack(2, [{ first: 3, last: 3 }]), 10), 'progress');
    assert.equal(w.unacknowledgedCount, 2);
    assert.equal(w.lowestUnacknowledged, 2);
    assert.equal(w.onAck(ack(2, [{ first: 3, last: 3 }]), 11), 'nothing_new');
    assert.equal(w.onAck(ack(6), 12), 'invalid');
    assert.equal(w.onAck(ack(2, [{ first: 4, last: 5 }]), 12), 'invalid');
    assert.equal(w.unacknowledgedCount, 2);
    assert.equal(w.onAck(ack(5), 13), 'progress');
    assert.equal(w.allAcknowledged, true);
  });

  it('samples the RTT only from fragments sent once (Karn)', () => {
    const rtt = new RttEstimator();
    const w = new SendWindow(rtt);
    w.send(fragment(0), 0);
    w.retransmissionsDue(1000);
    w.onAck(ack(1), 1010);
    assert.equal(rtt.srtt, 0, 'no sample from a retransmitted fragment');
    w.send(fragment(1), 2000);
    w.onAck(ack(2), 2040);
    assert.equal(rtt.srtt, 40);
    assert.equal(rtt.rto, 200, '40 + 4·20 = 120 ms, clamped up to 200 ms');
  });

  it('fast-retransmits once three fragments sent after it are acknowledged', () => {
    const w = new SendWindow(new RttEstimator());
    for (let i = 0; i < 5; i++) {
      w.send(fragment(i), i);
    }
    w.onAck(ack(0, [{ first: 1, last: 2 }]), 50);
    assert.deepEqual(w.retransmissionsDue(50), [], 'two later fragments are not enough');
    w.onAck(ack(0, [{ first: 1, last: 3 }]), 60);
    assert.ok(w.nextTimeout < 1000, 'lost: due long before its timer');
    assert.deepEqual(w.retransmissionsDue(w.nextTimeout).map((d) => d.sequence), [0]);
  });

  it('sends at most 64 past the oldest unacknowledged fragment', () => {
    const w = new SendWindow(new RttEstimator());
    for (let i = 0; i < 64; i++) {
      w.send(fragment(i), 0);
    }
    assert.equal(w.hasRoom, false);
    assert.throws(() => w.send(fragment(64), 0), RangeError);
    w.onAck(ack(0, [{ first: 1, last: 63 }]), 5);
    assert.equal(w.hasRoom, false, 'the window is anchored at the oldest unacknowledged, not at the count');
    w.onAck(ack(64), 6);
    assert.equal(w.hasRoom, true);
  });

  it('gives up after 12 retransmissions of one fragment', () => {
    const rtt = new RttEstimator();
    const w = new SendWindow(rtt, { giveUpAfter: Infinity });
    w.send(fragment(0), 0);
    let now = 0;
    for (let i = 0; i < 12; i++) {
      now = w.nextTimeout;
      assert.equal(w.retransmissionsDue(now).length, 1);
    }
    assert.equal(w.failure, null);
    assert.deepEqual(w.retransmissionsDue(w.nextTimeout), []);
    assert.deepEqual(w.failure, { cause: 'max_retransmissions', sequence: 0 });
    assert.equal(w.allAcknowledged, false);
  });

  it('gives up when a fragment stays unacknowledged for 60 s', () => {
    const w = new SendWindow(new RttEstimator());
    w.send(fragment(0), 0);
    for (let now = 1000; now < 60_000; now += 1000) {
      w.retransmissionsDue(now);
    }
    assert.equal(w.failure, null);
    w.retransmissionsDue(60_000);
    assert.deepEqual(w.failure, { cause: 'deadline', sequence: 0 });
    assert.equal(w.nextTimeout, Infinity);
  });
});

describe('RttEstimator', () => {
  it('follows RFC 6298 and clamps to [200 ms, 60 s]', () => {
    const rtt = new RttEstimator();
    assert.equal(rtt.rto, 1000);
    rtt.sample(100);
    assert.equal(rtt.srtt, 100);
    assert.equal(rtt.rto, 100 + 4 * 50);
    rtt.sample(200);
    assert.equal(rtt.srtt, 0.875 * 100 + 0.125 * 200);
    assert.equal(rtt.rto, rtt.srtt + 4 * (0.75 * 50 + 0.25 * 100));
    assert.equal(rtt.backedOffRto(3), rtt.rto * 8);
    assert.equal(rtt.backedOffRto(20), 60_000);
    rtt.sample(100_000);
    assert.equal(rtt.rto, 60_000);
  });
});

describe('pacing', () => {
  it('a token bucket gives a burst, then its rate', () => {
    const bucket = new TokenBucket(10, 2, 0);
    assert.equal(bucket.tryTake(0), true);
    assert.equal(bucket.tryTake(0), true);
    assert.equal(bucket.tryTake(0), false);
    assert.equal(bucket.msUntilToken(0), 100);
    assert.equal(bucket.tryTake(100), true);
    assert.equal(new TokenBucket(0, 0, 0).tryTake(0), true, 'rate 0 is no limit');
  });

  it('takes one token per message, not per fragment, and none for retransmissions', () => {
    const sender = new ReliableSender(new TokenBucket(10, 1, 0));
    sender.offer(new Uint8Array(5000));
    sender.offer(Uint8Array.of(1));
    assert.equal(sender.poll(0).length, 5, 'the whole 5-fragment message goes on one token');
    assert.equal(sender.nextWake(0), 100, 'the next message waits for its token');
    assert.deepEqual(sender.poll(99), []);
    assert.deepEqual(sender.poll(100).map((d) => d.messageId), [1]);

    const starved = new ReliableSender(new TokenBucket(0.001, 1, 0)); // one token, then none for 1000 s
    starved.offer(new Uint8Array(5000));
    starved.offer(Uint8Array.of(1));
    assert.equal(starved.poll(0).length, 5);
    assert.deepEqual(starved.poll(1000).map((d) => d.messageId), [0, 0, 0, 0, 0],
      'the timers ran out: retransmitted without a token, while the next message still waits for one');
  });

  it('refuses more than 1 MiB queued ahead of the window', () => {
    const sender = new ReliableSender(new TokenBucket(10, 1, 0));
    for (let i = 0; i < 16; i++) {
      assert.equal(sender.offer(new Uint8Array(65_536)), true);
    }
    assert.equal(sender.offer(Uint8Array.of(1)), false);
  });
});
