// Public entry of the controller: the shell that supervises a node's services.
export { Controller } from './controller.ts';
export type { ControllerOptions, CommandReply } from './controller.ts';
export { PidRegistry } from './pid-registry.ts';
export type { PidRecord } from './pid-registry.ts';
export { registrationOf } from './registrations.ts';
