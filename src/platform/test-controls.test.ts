import { describe, expect, it } from 'vitest';
import { CONTROLS_CONFIRMATION, readTestControls, TestControlRefused } from './test-controls.ts';

describe('negative controls', () => {
  const confirmed = { NODE_ENV: 'test', STOCKROOM_TEST_CONTROLS_CONFIRM: CONTROLS_CONFIRMATION };

  it('leaves the product whole when nothing asks for a control, in production as in tests', () => {
    expect(readTestControls({ NODE_ENV: 'production' })).toEqual({ stockGuard: 'guarded', faultPoints: true, faultsAllowed: false, jobLeases: 'guarded', jobTimings: {} });
    expect(readTestControls({})).toEqual({ stockGuard: 'guarded', faultPoints: true, faultsAllowed: false, jobLeases: 'guarded', jobTimings: {} });
    expect(readTestControls({ NODE_ENV: 'test' })).toEqual({ stockGuard: 'guarded', faultPoints: true, faultsAllowed: true, jobLeases: 'guarded', jobTimings: {} });
  });

  it('refuses to start with a control outside NODE_ENV=test, even confirmed', () => {
    for (const NODE_ENV of [undefined, 'production', 'development', 'TEST']) {
      expect(() => readTestControls({ ...confirmed, NODE_ENV, STOCKROOM_TEST_DISABLE_STOCK_GUARD: 'read-then-write' })).toThrow(TestControlRefused);
      expect(() => readTestControls({ ...confirmed, NODE_ENV, STOCKROOM_TEST_DISABLE_FAULT_POINTS: 'inert' })).toThrow(TestControlRefused);
      expect(() => readTestControls({ ...confirmed, NODE_ENV, STOCKROOM_TEST_DISABLE_JOB_LEASES: 'unchecked' })).toThrow(TestControlRefused);
    }
  });

  it('refuses STOCKROOM_FAULT, which kills the server, outside NODE_ENV=test', () => {
    expect(() => readTestControls({ NODE_ENV: 'production', STOCKROOM_FAULT: 'before_commit@3' })).toThrow(/NODE_ENV=test/);
    expect(readTestControls({ NODE_ENV: 'test', STOCKROOM_FAULT: 'before_commit@3' }).faultsAllowed).toBe(true);
  });

  it('refuses a control without the confirmation sentence, and a value it does not know', () => {
    expect(() => readTestControls({ NODE_ENV: 'test', STOCKROOM_TEST_DISABLE_STOCK_GUARD: 'read-then-write' })).toThrow(/STOCKROOM_TEST_CONTROLS_CONFIRM/);
    expect(() => readTestControls({ ...confirmed, STOCKROOM_TEST_CONTROLS_CONFIRM: 'yes' , STOCKROOM_TEST_DISABLE_STOCK_GUARD: 'unchecked' })).toThrow(TestControlRefused);
    expect(() => readTestControls({ ...confirmed, STOCKROOM_TEST_DISABLE_STOCK_GUARD: '1' })).toThrow(/read-then-write, unchecked/);
    expect(() => readTestControls({ ...confirmed, STOCKROOM_TEST_DISABLE_FAULT_POINTS: 'true' })).toThrow(/inert/);
    expect(() => readTestControls({ NODE_ENV: 'test', STOCKROOM_TEST_DISABLE_JOB_LEASES: 'unchecked' })).toThrow(/STOCKROOM_TEST_CONTROLS_CONFIRM/);
    expect(() => readTestControls({ ...confirmed, STOCKROOM_TEST_DISABLE_JOB_LEASES: 'off' })).toThrow(/unchecked/);
  });

  it('takes test-only job timings under NODE_ENV=test only, as whole milliseconds', () => {
    expect(readTestControls({ NODE_ENV: 'test', STOCKROOM_TEST_JOB_EVERY_MS: '300', STOCKROOM_TEST_JOB_HOLD_MS: '80' }).jobTimings).toEqual({ everyMs: 300, holdMs: 80 });
    expect(() => readTestControls({ NODE_ENV: 'production', STOCKROOM_TEST_JOB_EVERY_MS: '300' })).toThrow(/NODE_ENV=test/);
    expect(() => readTestControls({ NODE_ENV: 'test', STOCKROOM_TEST_JOB_LEASE_MS: '1.5' })).toThrow(/whole number/);
  });

  it('switches on exactly what was asked for', () => {
    expect(readTestControls({ ...confirmed, STOCKROOM_TEST_DISABLE_STOCK_GUARD: 'read-then-write' })).toEqual({ stockGuard: 'read-then-write', faultPoints: true, faultsAllowed: true, jobLeases: 'guarded', jobTimings: {} });
    expect(readTestControls({ ...confirmed, STOCKROOM_TEST_DISABLE_STOCK_GUARD: 'unchecked' }).stockGuard).toBe('unchecked');
    expect(readTestControls({ ...confirmed, STOCKROOM_TEST_DISABLE_FAULT_POINTS: 'inert' })).toEqual({ stockGuard: 'guarded', faultPoints: false, faultsAllowed: true, jobLeases: 'guarded', jobTimings: {} });
    expect(readTestControls({ ...confirmed, STOCKROOM_TEST_DISABLE_JOB_LEASES: 'unchecked' }).jobLeases).toBe('unchecked');
  });
});
