export { squareAdapter, squareBatchKey, squareLocationIds, SQUARE_CHANGES_PER_BATCH } from './square.adapter.ts';
export { squareSignature, SQUARE_STALE_AFTER_MS } from './square.webhooks.ts';
