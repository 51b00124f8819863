import assert from "node:assert/strict";
import { test } from "node:test";
import { Backoff, HEALTHY_AFTER_MS } from "../src/backoff";

test("restarts wait longer each time, then give up", () => {
  let now = 0;
  const backoff = new Backoff(() => now);
  backoff.started();
  const delays = [];
  for (let i = 0; i < 6; i++) {
    delays.push(backoff.crashed());
    now += 100;
    backoff.started();
  }
  assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16000, null]);
});

test("a server that ran for a while starts the count again", () => {
  let now = 0;
  const backoff = new Backoff(() => now);
  backoff.started();
  backoff.crashed();
  backoff.crashed();
  backoff.started();
  now += HEALTHY_AFTER_MS;
  assert.equal(backoff.crashed(), 1000);
});
