import { EngineError, type EngineErrorKind } from '../engine/index.js';
import { ApiError } from '../http/errors.js';

/** The status each kind of engine refusal answers (Camunda 7's, as /engine-rest always answered them). */
const STATUS: Record<EngineErrorKind, number> = {
  NotFound: 404, Conflict: 409,
  InvalidInput: 400, InvalidModel: 400, ModelFailure: 400, Suspended: 400, NotWaiting: 400, HeldByOther: 400, NoMatch: 400, Unsupported: 400,
};

/**
 * The engine's errors as HTTP, in one place (the app's error handler calls it): `camunda` answers
 * Camunda's `{type, message}` (English message, Camunda's exception name), `api` the platform's
 * keyed `{type, message, key}` (Vietnamese, or English when asked). Anything else passes unchanged.
 */
export function engineErrorToHttp(err: unknown, flavour: 'camunda' | 'api'): unknown {
  if (!(err instanceof EngineError)) return err;
  const status = STATUS[err.kind];
  return flavour === 'camunda'
    ? new ApiError(status, err.type, err.message, err.details)
    : new ApiError(status, err.type, err.text.vi, err.text.viDetails ?? err.details, err.text.viDetails === undefined ? err.text : { ...err.text, enDetails: err.details });
}
