// The group usage reader lives with the process table it reads; the metrics import it from here.
export { groupUsage } from '../process/index.ts';
export type { GroupUsage } from '../process/index.ts';
