/** The OMS domain core: deterministic, no I/O except reading reference data files. */
export * from './checks.ts';
export * from './projection.ts';
export * from './reference.ts';
export * from './risk.ts';
export * from './rules.ts';
export * from './snapshot.ts';
export * from './validation.ts';
export * from './views.ts';
export * from './testkit.ts';
