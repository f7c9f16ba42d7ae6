// Beta's web layer.
export { createBetaHandler } from './handler.ts';
export { fetchAlphaInfo } from './alpha-client.ts';
export type { AlphaAnswer, UpstreamStats } from './alpha-client.ts';
