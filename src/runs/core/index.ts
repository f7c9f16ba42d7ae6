// The run registry's pure core: its types and rules, without I/O.
export * from './types.ts';
