import type { ReferenceData } from '../../../engine/oms/reference.ts';

/** One venue, one equity at 100, one client with limits no random flow reaches: for property tests of order rules. */
export const ONE_INSTRUMENT_REFERENCE: ReferenceData = {
  venues: [{ venueId: 'V1', name: 'One' }],
  instruments: [{ symbol: 'X', name: 'X Corp', instrumentType: 'equity', venue: 'V1', currency: 'USD', tickSize: 0.01, lotSize: 1, referencePrice: 100 }],
  clients: [{ clientId: 'A', name: 'A', maxOrderNotional: 1e9, maxOpenNotional: 1e9, allowedSymbols: ['*'] }],
};
