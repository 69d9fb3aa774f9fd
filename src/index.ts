/**
 * The public surface of dormouse's engine-neutral core (`src/`): what the firmware, the CLI, the
 * simulator and the local cloud import. Modules that only exist to split a concept into files
 * (`sigv4-*`, `shadow-merge`, …) are reached through their concept's module.
 */

// Errors and JSON values
export * from './errors.js';
export * from './json.js';

// The device: thing, validation, one wake, and what it remembers
export * from './thing.js';
export * from './schema.js';
export * from './wake-options.js';
export * from './wake-ports.js';
export * from './wake-summary.js';
export * from './cycle.js';
export * from './dispatch.js';
export * from './deadline.js';
export * from './status.js';
export * from './backoff.js';
export * from './clock-trust.js';
export * from './store.js';
export * from './checksum.js';

// Talking to AWS IoT: config, endpoint, credentials, signing, the shadow client, time
export * from './config.js';
export * from './endpoint.js';
export * from './credentials.js';
export * from './sigv4.js';
export * from './aws-error.js';
export * from './shadow.js';
export * from './shadow-types.js';
export * from './sntp.js';
export * from './http-date.js';

// Hashing and encodings for engines without them
export * from './sha256.js';
export * from './soft-crypto.js';
export * from './utf8.js';
export * from './hex.js';

// Shadow document semantics (merge, delta, request validation), shared with the local cloud
export {
  applyUpdate, shadowDocument, deletedDocument, documentsMessage, deltaMessage, shadowTopicPrefix, SHADOW_LIMIT_DEFAULTS, UPDATE_MESSAGES,
} from './shadow-doc.js';
export type { ShadowSection, StoredShadow, StateSizeScope, ShadowLimits, UpdateOutcome } from './shadow-doc.js';
export { computeDelta, deltaMetadata } from './shadow-delta.js';
export { metadataOf, mergeSection } from './shadow-merge.js';
export type { MergedSection } from './shadow-merge.js';
export {
  REQUEST_MESSAGES, nestingMessage, invalidNodeMessage, jsonTextDepth, hasNullInArray, parseUpdateRequest,
} from './shadow-request.js';
export type { StatePatch, RequestLimits, RequestCheck } from './shadow-request.js';
