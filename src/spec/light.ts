// The spec module's light entry: its error class, which the CLI's error handling recognises on
// every invocation. index.ts also exports the schemas (zod) that only the verbs reading a
// project file need.
export { SpecError } from './issues.ts';
export type { SpecIssue, PathSegment } from './issues.ts';
