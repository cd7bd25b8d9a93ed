export interface BenchContext {
  quick: boolean;
  /** Seconds each measured phase runs. */
  seconds: number;
  postgres: boolean;
  log(message: string): void;
}
