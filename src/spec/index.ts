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
  Project,
} from './types.ts';
