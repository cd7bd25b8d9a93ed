export { ACCOUNT_ROLES, DEFAULT_ACCOUNTS, SALES_ROLES, listAccountMappings, setAccountMapping, type AccountMapping, type AccountRole } from './accounts.ts';
export { buildJournal, roundToUnit, MAX_JOURNAL_DAYS, type Journal, type JournalEntry, type JournalLine, type JournalOptions } from './journal.ts';
export { journalCsv, journalIif, formatMinor, entryDocNumber } from './journal-files.ts';
export { qboConfigFromEnv, type QboConfig } from './qbo-client.ts';
export { authorizeUrl, connectQuickbooks, disconnectQuickbooks, listPostings, quickbooksStatus, runQuickbooksSyncIfDue, setQuickbooksOptions, syncQuickbooks, type SyncResult } from './sync.service.ts';
export { QuickbooksError, quickbooksErrorStatuses, type QuickbooksErrorCode } from './quickbooks.errors.ts';
export { registerQuickbooksRoutes } from './quickbooks.routes.ts';
