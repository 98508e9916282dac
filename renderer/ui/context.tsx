import { createContext, useContext } from 'react';
import type { ReactNode } from 'react';
import { useStore } from 'zustand';
import type { OrdoApi } from '../../contract/api.ts';
import type { OrdoState, OrdoStore } from '../store/types.ts';

interface Ordo {
  api: OrdoApi;
  store: OrdoStore;
}

const OrdoContext = createContext<Ordo | null>(null);

export function OrdoProvider({ api, store, children }: Ordo & { children: ReactNode }) {
  return <OrdoContext.Provider value={{ api, store }}>{children}</OrdoContext.Provider>;
}

function useOrdo(): Ordo {
  const ctx = useContext(OrdoContext);
  if (!ctx) throw new Error('OrdoProvider missing');
  return ctx;
}

export function useApi(): OrdoApi {
  return useOrdo().api;
}

export function useOrdoStore(): OrdoStore {
  return useOrdo().store;
}

/** Reads a slice of the store; the component re-renders only when the selected value changes (Object.is). */
export function useOrdoState<T>(selector: (s: OrdoState) => T): T {
  return useStore(useOrdo().store, selector);
}
