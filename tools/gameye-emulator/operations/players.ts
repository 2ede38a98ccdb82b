/** The player operations: `PUT /session/player/join` and `DELETE /session/player/leave`. */
import {
  type JoinSessionOk,
  JoinSessionRequest,
  type LeaveSessionOk,
  LeaveSessionRequest,
} from '../../../lambdas/gameye/contract.ts';
import { parseBody, sendSuccess } from '../answers.ts';
import type { OperationHandler } from '../emulator-context.ts';

/** `PUT /session/player/join` (join-session): answers the session's players after the join. */
export const joinSession: OperationHandler = async (emulator, { req, res, operation }) => {
  const body = await parseBody(req, JoinSessionRequest);
  const session = emulator.fleet.join(body.session, body.players);
  const ok: JoinSessionOk = { count: session.players.size, players: [...session.players] };
  sendSuccess(res, operation, 200, ok);
};

/** `DELETE /session/player/leave` (leave-session): answers the players that left. */
export const leaveSession: OperationHandler = async (emulator, { req, res, operation }) => {
  const body = await parseBody(req, LeaveSessionRequest);
  const { sessions, left } = emulator.fleet.leave(body.players);
  const ok: LeaveSessionOk = { count: sessions.reduce((n, s) => n + s.players.size, 0), players: left };
  sendSuccess(res, operation, 200, ok);
};
