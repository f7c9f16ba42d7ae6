// Public entry of the bus module (a shell): the embedded nats-server, the connection, the event
// stream and snapshot bucket, publishing and reading events, and the state those events reduce to.
export {
  NatsServerNotFoundError,
  NatsServerStartError,
  PortInUseError,
  BusUnavailableError,
  StreamSetupError,
  InvalidEventError,
  PublishError,
} from './errors.ts';
export type { StartFailure } from './errors.ts';
export { findNatsServer, DEFAULT_NATS_SERVER } from './find-server.ts';
export { launchNatsServer, launchOptionsFromConfig } from './launch.ts';
export type { LaunchOptions, EmbeddedServer } from './launch.ts';
export type { ServerExit } from './server-process.ts';
export { serverPaths, renderServerConfig } from './server-config.ts';
export type { ServerPaths } from './server-config.ts';
export { connectBus, credentialOptions } from './connect.ts';
export { credentialsPath, ensureCredentials, readCredentials } from './credentials.ts';
export type { EmbeddedCredentials } from './credentials.ts';
export { BrokerSupervisor } from './supervise.ts';
export { Outbox } from './outbox.ts';
export type { OutboxOptions } from './outbox.ts';
export type { BrokerHooks } from './supervise.ts';
export type { Bus, ConnectOptions } from './connect.ts';
export { SNAPSHOT_BUCKET, eventStreamConfig } from './streams.ts';
export { DEFAULT_PUBLISH_RETRY, assertValidEvent, isRetryable } from './publish.ts';
export type { PublishResult, PublishRetry } from './publish.ts';
export { createEventFactory } from './event-factory.ts';
export type { EventFactory, EventFactoryOptions } from './event-factory.ts';
export { readEvents, followEvents } from './read-events.ts';
export { followState, stateAt } from './read-state.ts';
export type { FollowStateOptions } from './read-state.ts';
export type { ReadResult, ReadOptions, HistoryOptions } from './read-events.ts';
export { brokerStats } from './broker-stats.ts';
export type { BrokerStats } from './broker-stats.ts';
