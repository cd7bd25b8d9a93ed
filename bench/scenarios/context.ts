export interface BenchContext {
  quick: boolean;
  /** Seconds each measured phase runs. */
  seconds: number;
  postgres: boolean;
  /** Scale of the simulated demo shop the big-shop scenario reads (generated once, then cached). */
  shopScale: number;
  /** Days of simulated history in that shop. */
  shopDays: number;
  log(message: string): void;
}
