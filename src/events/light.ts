// The events module's light entry: the command verbs, which the CLI needs to declare its verbs
// before it knows which one runs. index.ts also exports the payload schemas (zod), which
// `nestor --version` and `--help` have no use for.
export { COMMAND_VERBS } from './types.ts';
export type { CommandVerb } from './types.ts';
