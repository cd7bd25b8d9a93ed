import { monotonicFactory } from 'ulid';

/**
 * Prefixed, time-sortable ids (`itm_01J…`). The ULID part sorts by creation time, and the
 * monotonic factory keeps ids made in the same millisecond in creation order, so ids double
 * as a stable tiebreaker for pagination.
 */
const nextUlid = monotonicFactory();

export type IdPrefix =
  | 'itm' | 'loc' | 'lot' | 'mov' | 'txn' | 'res' | 'adj' | 'adl'
  | 'usr' | 'ses' | 'tok' | 'aud'
  | 'ven' | 'po' | 'pol' | 'rcp' | 'rcl' | 'lay' | 'lc' | 'rev' | 'dsc'
  | 'sal' | 'sll' | 'chn' | 'ord' | 'orl' | 'shp' | 'pkg' | 'ret' | 'rtl' | 'mgr' | 'mod'
  | 'evt' | 'req'
  | 'pay' | 'dsc' | 'exc' | 'pck' | 'pkl' | 'shl'
  | 'trf' | 'trl' | 'tra' | 'trp' | 'trd' | 'bmv'
  | 'cnt' | 'cnl' | 'cnh' | 'cnu'
  | 'dlv' | 'dla' | 'whs'
  | 'jrn'
  | 'fcr' | 'dfl'
  | 'alr' | 'asb' | 'ntf'
  | 'bom' | 'bml' | 'prd' | 'prl' | 'prp' | 'dis' | 'cdv'
  | 'prc'
  | 'srp' | 'rsc' | 'rsr' | 'sin' | 'sdi'
  | 'con' | 'cev' | 'csl'
  | 'qbp'
  | 'vrt' | 'vrl'
  | 'pdt' | 'imp'
  | 'txr'
  | 'oac' | 'oag';

export function newId(prefix: IdPrefix, now?: number): string {
  return `${prefix}_${nextUlid(now)}`;
}

// Generated ids carry a ULID; a few fixed records (the virtual locations) carry a word instead.
const idPattern = /^[a-z]{2,4}_[0-9A-Za-z]{1,40}$/;

/** True when `value` has the shape of an id with the given prefix (it may still not exist). */
export function isId(value: string, prefix?: IdPrefix): boolean {
  if (!idPattern.test(value)) return false;
  return prefix === undefined || value.startsWith(`${prefix}_`);
}
