import { describe, expect, it } from 'vitest';
import { resolveInstanceId } from './instance.ts';

describe("an instance's id", () => {
  it('is STOCKROOM_INSTANCE_ID when given', () => {
    expect(resolveInstanceId({ STOCKROOM_INSTANCE_ID: 'web-2' }, 'box', 41)).toBe('web-2');
  });

  it('is the host name and process id otherwise, which no two live processes share', () => {
    expect(resolveInstanceId({}, 'shop-server', 4242)).toBe('shop-server:4242');
    expect(resolveInstanceId({ STOCKROOM_INSTANCE_ID: '' }, 'a b/c', 7)).toBe('a-b-c:7');
  });

  it('refuses an id that would not read well in a log line', () => {
    expect(() => resolveInstanceId({ STOCKROOM_INSTANCE_ID: 'web 2' })).toThrow(/STOCKROOM_INSTANCE_ID/);
    expect(() => resolveInstanceId({ STOCKROOM_INSTANCE_ID: '-x' })).toThrow(/STOCKROOM_INSTANCE_ID/);
    expect(() => resolveInstanceId({ STOCKROOM_INSTANCE_ID: 'x'.repeat(101) })).toThrow(/STOCKROOM_INSTANCE_ID/);
  });
});
