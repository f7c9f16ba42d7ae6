// Public entry of the views module (pure): what the CLI, the dashboard and the TUI show, derived
// from the reduced state and the stored events. Time is an argument; nothing here reads a clock.
export type { Tone } from './tone.ts';
export { toneOf } from './tone.ts';
export { formatDuration } from './duration.ts';
export { selectServiceRows, selectCounts, selectService, recordKeyOf } from './rows.ts';
export type { ServiceRow, ServiceDetail, ServiceCounts } from './rows.ts';
export { selectStatusJson, selectInstanceEntry } from './status-json.ts';
export { groupInstances, groupOf, instanceEntry, resolveTarget, summaryState } from './instances.ts';
export type { InstanceEntry, InstanceGroup, InstanceTarget } from './instances.ts';
export { caddySummary, nodeTone, selectNodes, silenceReason } from './nodes.ts';
export { shutdownOrder } from './shutdown-order.ts';
export type { MemberRow, NodeCaddyView, NodeRow, NodeRowState } from './nodes.ts';
export type { StatusEntry, StatusJson } from './status-json.ts';
export { selectHeader } from './header.ts';
export type { HeaderView } from './header.ts';
export { selectHealth, detailFields } from './detail.ts';
export { nextRunText, nextRunShort, scheduleText } from './schedule.ts';
export type { HealthView, DetailField } from './detail.ts';
export { SERVICE_ACTIONS, NAVIGATION_KEYS, NODE_UI_ACTIONS, availableActions, availableNodeActions } from './actions.ts';
export type { ServiceAction, NodeUiAction } from './actions.ts';
export { describeEvent, eventSubject, shortType } from './event-text.ts';
export { selectFeedRow, selectFeed, selectFeedEither, recentFor, isAbout, appendRecent, feedShows, DEFAULT_FEED_FILTER } from './feed.ts';
export type { FeedRow, FeedFilter } from './feed.ts';
export { initialSelection } from './selection.ts';
export { selectGraph } from './graph.ts';
export type { GraphLayout, GraphNodeView, GraphEdgeView } from './graph.ts';
export { parseLogLine, showLogLine } from './log-line.ts';
export type { LogLineView } from './log-line.ts';
export {
  RUN_UI_ACTIONS,
  asRunSummary,
  availableRunActions,
  describeRunChange,
  filterRuns,
  formatMetric,
  heartbeatAge,
  initialRunSelection,
  isFinished,
  isRunCommandType,
  isRunHealth,
  isRunState,
  metricKeys,
  parseTunePairs,
  runHealthTone,
  runMetricKey,
  runStateTone,
  selectRunDetail,
  selectRunRow,
  selectRunRows,
  sortRuns,
  sparkline,
} from './runs.ts';
export type { RunChart, RunDetail, RunFilter, RunRow, RunUiAction } from './runs.ts';
