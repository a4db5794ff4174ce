// API errors: a stable `code` and an HTTP status; messages at the edge stay
// generic (STYLE: errors carry a stable code; logs say what and why).

export type ApiErrorCode =
  | 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND' | 'BAD_REQUEST' | 'METHOD_NOT_ALLOWED' | 'PAYLOAD_TOO_LARGE'
  | 'UNAVAILABLE' | 'INTERNAL';

const STATUS: Record<ApiErrorCode, number> = {
  UNAUTHORIZED: 401, FORBIDDEN: 403, NOT_FOUND: 404, BAD_REQUEST: 400, METHOD_NOT_ALLOWED: 405,
  PAYLOAD_TOO_LARGE: 413, UNAVAILABLE: 503, INTERNAL: 500,
};

export class ApiError extends Error {
  readonly status: number;
  /** Why, for the log only (never sent). */
  readonly detail?: string;
  constructor(readonly code: ApiErrorCode, message: string = code.toLowerCase().replace(/_/g, ' '), detail?: string) {
    super(message);
    this.name = 'ApiError';
    this.status = STATUS[code];
    this.detail = detail;
  }
}
