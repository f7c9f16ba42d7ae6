// Public entry of the bus module (a shell): the embedded nats-server, the connection, the event
// stream, snapshot, lease and claim buckets, publishing and reading events, the state those
// events reduce to, command requests and requests to a node about itself, and Caddy's
// certificates kept in a bucket, and the run registry's bucket and requests. Shells see a
// BusReader or a BusWriter; only this module and the SDK import the NATS client.
export {
  NatsServerNotFoundError,
  NatsServerStartError,
  PortInUseError,
  BusUnavailableError,
  StreamSetupError,
  InvalidEventError,
  PublishError,
  ReaderConnectError,
} from './errors.ts';
export type { StartFailure, ReaderFailure } from './errors.ts';
export { findNatsServer, DEFAULT_NATS_SERVER } from './find-server.ts';
export { launchNatsServer, launchOptionsFromConfig } from './launch.ts';
export type { LaunchOptions, EmbeddedServer } from './launch.ts';
export type { ServerExit } from './server-process.ts';
export { serverPaths, renderServerConfig } from './server-config.ts';
export type { ServerPaths } from './server-config.ts';
export { connectBus, connectReader } from './connect.ts';
export { credentialOptions } from './nats-options.ts';
export type { ReconnectPolicy } from './nats-options.ts';
export { credentialsPath, ensureCredentials, readCredentials } from './credentials.ts';
export type { EmbeddedCredentials } from './credentials.ts';
export { BrokerSupervisor } from './supervise.ts';
export { Outbox } from './outbox.ts';
export type { OutboxOptions } from './outbox.ts';
export type { BrokerHooks } from './supervise.ts';
export type { Bus, BusWriter, ConnectOptions, ReaderOptions } from './connect.ts';
export type { BusReader, BusLink, ReadResult, StreamBounds } from './reader.ts';
export { SNAPSHOT_BUCKET, eventStreamConfig } from './streams.ts';
export { CLAIM_BUCKET, LEASE_BUCKET } from './leases.ts';
export type { Leases, LeaseEntry, LeaseRecord, LeaseWrite } from './leases.ts';
export { DEFAULT_PUBLISH_RETRY, assertValidEvent, isNoResponders, isRetryable, isTimeout } from './publish.ts';
export type { PublishResult, PublishRetry } from './publish.ts';
export { createEventFactory } from './event-factory.ts';
export type { EventFactory, EventFactoryOptions } from './event-factory.ts';
export { readEvents, followEvents } from './read-events.ts';
export type { ReadOptions, HistoryOptions } from './read-events.ts';
export { requestCommand, serveCommands } from './commands.ts';
export type { CommandRequest, CommandRequester, CommandResponse, CommandHandler, CommandService } from './commands.ts';
export { NODE_ACTIONS, requestNode, serveNode } from './node-requests.ts';
export type { NodeAction, NodeHandler, NodeRequestService, NodeResponse } from './node-requests.ts';
export { followState, stateAt } from './read-state.ts';
export type { FollowStateOptions, StateAtOptions } from './read-state.ts';
export { deleteSnapshot, loadSnapshot, putSnapshotRecord, saveSnapshot, snapshotKey } from './snapshots.ts';
export type { LoadedSnapshot, SaveOutcome, SnapshotLimit, StoredSnapshot } from './snapshots.ts';
export { brokerStats } from './broker-stats.ts';
export type { BrokerStats } from './broker-stats.ts';
export { CADDY_BUCKET, CADDY_SHARED_DIRS, keyOf as caddyKeyOf, pathOfKey as caddyPathOfKey, restoreCaddyFiles, storeCaddyFiles, watchCaddyData } from './caddy-storage.ts';
export type { CaddyBucketOptions, CaddyDataWatch, CaddyFilesResult, StoreCaddyOptions, WatchCaddyOptions } from './caddy-storage.ts';
export { RUNS_BUCKET, openRunStore } from './runs-store.ts';
export type { RunStore, RunStoreChange, RunStoreEntry, RunStoreOptions, RunStoreWatch } from './runs-store.ts';
export { RUNS_QUEUE, requestRuns, serveRuns, wakeRun } from './runs-requests.ts';
export type { RunsHandler } from './runs-requests.ts';
