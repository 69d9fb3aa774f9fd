/**
 * AWS IoT's error wire format: status, `x-amzn-ErrorType` (the AWS SDKs name the exception from
 * it), and the JSON body (`{"code":N,"message":…}` from the shadow service, `{"message":…,
 * "traceId":…}` from the authenticating front end).
 */

/** Statuses the local cloud answers with, and the exception name each carries. */
export const ERROR_TYPES = {
  400: 'InvalidRequestException',
  401: 'UnauthorizedException',
  403: 'ForbiddenException',
  404: 'ResourceNotFoundException',
  405: 'MethodNotAllowedException',
  409: 'ConflictException',
  413: 'RequestEntityTooLargeException',
  415: 'UnsupportedDocumentEncodingException',
  429: 'ThrottlingException',
  500: 'InternalFailureException',
  503: 'ServiceUnavailableException',
} as const;

/** An error status the cloud uses. */
export type ErrorStatus = keyof typeof ERROR_TYPES;

/** Messages of errors not tied to a document (shadow-document messages live in src/shadow-doc.ts). */
export const ERROR_MESSAGES = {
  unsupportedEncoding: 'Unsupported documented encoding; supported encoding is UTF-8',
  tooLarge: 'The payload exceeds the maximum size allowed',
  methodNotAllowed: 'Method Not Allowed',
  notFound: 'Not Found',
  throttled: 'Too Many Requests',
  internal: 'Internal service failure',
  missingToken: 'Missing Authentication Token',
} as const;

/** Where a failure comes from: decides the body's shape. */
export type ErrorSource =
  /** The shadow/publish service: `{"code":N,"message":…[,"clientToken":…]}`. */
  | 'service'
  /** Authentication in front of it: `{"message":…,"traceId":…}`. */
  | 'auth';

/** A failure to send back: status, message, and what else goes in the body. */
export interface CloudError {
  readonly status: ErrorStatus;
  readonly message: string;
  readonly source: ErrorSource;
  /** Echoed in the body when the request carried one. */
  readonly clientToken?: string;
}

/** A service error (shadow or publish). */
export function serviceError(status: ErrorStatus, message: string, clientToken?: string): CloudError {
  return clientToken === undefined ? { status, message, source: 'service' } : { status, message, source: 'service', clientToken };
}

/** An authentication error (403 unless told otherwise). */
export function authError(message: string, status: ErrorStatus = 403): CloudError {
  return { status, message, source: 'auth' };
}

/** The `x-amzn-ErrorType` value for a status, in AWS's `Name:` form. */
export function errorTypeHeader(status: ErrorStatus): string {
  return `${ERROR_TYPES[status]}:`;
}

/** The JSON body of an error response. */
export function errorBody(e: CloudError, requestId: string): string {
  if (e.source === 'auth') return JSON.stringify({ message: e.message, traceId: requestId });
  const o: Record<string, string | number> = { code: e.status, message: e.message };
  if (e.clientToken !== undefined) o.clientToken = e.clientToken;
  return JSON.stringify(o);
}
