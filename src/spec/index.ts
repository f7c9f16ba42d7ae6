// Public entry of the spec module (pure): types, validation, placeholders, dependency graph.
export type {
  DependencyCondition,
  RestartPolicy,
  PortStrategy,
  PortSpec,
  ProbeSpec,
  EnsureAction,
  RestartTuning,
  Dependency,
  ServiceSpec,
  Placement,
  Project,
  ScheduleSpec,
} from './types.ts';
export { nextRunAt, describeSchedule, isTimeZone } from './schedule.ts';
export { SpecError, formatIssue, formatPath, summarize, ROOT_PATH } from './issues.ts';
export type { SpecIssue, PathSegment } from './issues.ts';
export { validateProject, validateService } from './validate.ts';
export type { ProjectResult, ServiceResult, ValidateProjectOptions, ValidateServiceOptions } from './validate.ts';
export { projectSchema, serviceSchema, probeSchema, durationSchema, STOP_SIGNALS, PORT_NAME_PATTERN } from './schema.ts';
export type { ServiceInput, ProjectInput } from './schema.ts';
export { SPEC_DEFAULTS } from './normalize.ts';
export { WATCH_DEFAULT_DEBOUNCE } from './watch-schema.ts';
export { DEP_SOURCES, DEP_NAME_PATTERN } from './dep-schema.ts';
export type { DepSource, DepSpec } from './dep-schema.ts';
export type { WatchSpec } from './watch-schema.ts';
export { outlineSpec } from './outline.ts';
export type { SpecOutline } from './outline.ts';
export { parseDuration, parseSize, DURATION_PATTERN } from './duration.ts';
export {
  listPlaceholders,
  placeholderFields,
  checkPlaceholders,
  expand,
  expandSpec,
  portNames,
  PlaceholderError,
} from './placeholders.ts';
export type { PlaceholderContext, CheckPlaceholderOptions } from './placeholders.ts';
export { startOrder, stopOrder, dependents, dependenciesOf, findCycle, findCycles, formatCycle } from './graph.ts';
export type { GraphServices, GraphNode } from './graph.ts';
export { selectServices, inProfile, DEFAULT_PROFILE } from './select.ts';
export type { SelectOptions, Selection } from './select.ts';
export { renderGraph } from './render-graph.ts';
export { parseEnvFile, expandText, ExpansionError } from './env-file.ts';
export type { EnvFileProblem, EnvFileResult, EnvLookup } from './env-file.ts';
export { SECRET_SUFFIXES, MASKED_PATTERN, isSecretName, maskValue, maskEnv, maskSpecSecrets, unmaskSpecSecrets, redactSecrets } from './secrets.ts';
export type { SecretEnv } from './secrets.ts';
export type { GraphFormat } from './render-graph.ts';
export { diffProject, isEmptyDiff, specFieldChanges } from './diff.ts';
export type { ProjectDiff, SpecChange, SpecsById } from './diff.ts';
export { caddySchema, caddyTemplateSchema, matcherSet, parseMatcher, normalizeRoute, CADDY_HANDLERS, MATCHER_FUNCTIONS } from './caddy-schema.ts';
export type { CaddySpec, CaddyRouteSpec, CaddyHandlerInput, MatcherSet } from './caddy-schema.ts';
export { templateRoute, templatesOf } from './caddy-checks.ts';
