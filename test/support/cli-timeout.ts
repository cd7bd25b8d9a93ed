/**
 * How long a CLI test may take. Each `stockroom` command it runs is a new Node process that compiles
 * the CLI through tsx first: a few seconds each on two idle cores, many more beside other suites.
 */
export const CLI_TEST_TIMEOUT_MS = 180_000;
