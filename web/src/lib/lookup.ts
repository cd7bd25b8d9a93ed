import { api } from '../api/client.ts';
import { ApiError } from '../api/problem.ts';
import type { Item } from '../api/types.ts';
import { findInCatalogue, readTill } from '../offline/cache.ts';
import { isUnreachable } from '../offline/send.ts';

/** 8 to 14 digits: the shape of an EAN-8, UPC-A, EAN-13 or GTIN-14; anything else is a SKU, a GS1 label or a typo. */
export function looksLikeBarcode(code: string): boolean {
  return /^\d{8,14}$/.test(code.trim());
}

/**
 * The item a scanned or typed code names, or null. A barcode-shaped code is one indexed read
 * (`/items/by-barcode`); anything else (a SKU typed at the till, a GS1 label) goes to the
 * scan resolver, so typing "MUG-STONE" does not first ask for a barcode of that name and get a 404.
 */
export async function lookUpItem(code: string): Promise<Item | null> {
  try {
    return await lookUpOnline(code);
  } catch (error) {
    // Offline, the till looks in the catalogue it keeps.
    if (!isUnreachable(error)) throw error;
    const till = await readTill();
    if (!till) throw error;
    return findInCatalogue(till.items, code);
  }
}

async function lookUpOnline(code: string): Promise<Item | null> {
  const trimmed = code.trim();
  if (looksLikeBarcode(trimmed)) {
    try {
      return await api.get<Item>(`/api/v1/items/by-barcode/${encodeURIComponent(trimmed)}`);
    } catch (error) {
      // A numeric SKU looks like a barcode too: the resolver still finds it.
      if (!(error instanceof ApiError && error.status === 404)) throw error;
    }
  }
  const found = await api.post<{ item: { id: string } | null }>('/api/v1/scan/resolve', { code: trimmed });
  return found.item ? api.get<Item>(`/api/v1/items/${found.item.id}`) : null;
}
