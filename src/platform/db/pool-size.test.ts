import { describe, expect, it } from 'vitest';
import { postgresPipelineFromEnv, postgresPoolSizeFromEnv } from './database.ts';

describe('the PostgreSQL pool size of one server process', () => {
  it('is 16 unless PG_POOL_SIZE says otherwise, so several instances can share max_connections', () => {
    expect(postgresPoolSizeFromEnv({})).toBe(16);
    expect(postgresPoolSizeFromEnv({ PG_POOL_SIZE: '' })).toBe(16);
    expect(postgresPoolSizeFromEnv({ PG_POOL_SIZE: '8' })).toBe(8);
  });

  it('refuses a size that is not a whole number from 1 to 1000', () => {
    for (const bad of ['0', '-1', '2.5', 'many', '1001']) expect(() => postgresPoolSizeFromEnv({ PG_POOL_SIZE: bad })).toThrow(/PG_POOL_SIZE/);
  });
});

describe('pipelining PostgreSQL queries', () => {
  it('is on unless PG_PIPELINE is off, and refuses anything else', () => {
    expect(postgresPipelineFromEnv({})).toBe(true);
    expect(postgresPipelineFromEnv({ PG_PIPELINE: 'on' })).toBe(true);
    expect(postgresPipelineFromEnv({ PG_PIPELINE: 'off' })).toBe(false);
    for (const bad of ['0', 'no', 'OFF ']) expect(() => postgresPipelineFromEnv({ PG_PIPELINE: bad })).toThrow(/PG_PIPELINE/);
  });
});
