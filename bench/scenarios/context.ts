export interface BenchContext {
  quick: boolean;
  /** Seconds each measured phase runs. */
  seconds: number;
  postgres: boolean;
  /** Scale of the simulated demo shop the big-shop scenario reads (generated once, then cached). */
  shopScale: number;
  log(message: string): void;
}
