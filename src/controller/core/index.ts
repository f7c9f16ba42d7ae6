// Public entry of the controller's pure core.
export { decide, initialControllerState } from './decide.ts';
export { nextDelay, shouldRestart, restartsLeft } from './backoff.ts';
export { COMMAND_ERROR_CODES, publish } from './model.ts';
export type {
  ControllerState,
  Supervised,
  Input,
  Effect,
  PublishEffect,
  ReplyEffect,
  CommandErrorCode,
  DecideContext,
  Decision,
  Requester,
  ShutdownPhase,
} from './model.ts';
