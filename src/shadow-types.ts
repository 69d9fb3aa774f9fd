/**
 * The documents of the AWS IoT shadow REST API, as the device and the CLI see them.
 * Types only (plus nothing at run time), so importing them costs the bundle nothing.
 */
import type { JsonObject } from './json.js';

/** The `state` of a shadow document (GET, update response). */
export interface ShadowState {
  readonly desired?: JsonObject;
  readonly reported?: JsonObject;
  /** Desired keys that differ from reported (GET only, absent when empty). */
  readonly delta?: JsonObject;
}

/** `metadata`: the state tree with `{"timestamp": <epoch s>}` at each leaf. */
export interface ShadowMetadata {
  readonly desired?: JsonObject;
  readonly reported?: JsonObject;
}

/** A shadow document as GetThingShadow returns it. */
export interface ShadowDocument {
  readonly state?: ShadowState;
  readonly metadata?: ShadowMetadata;
  /** 1 after the first update, +1 per accepted update. */
  readonly version?: number;
  /** When the response was generated (epoch s). */
  readonly timestamp?: number;
  readonly clientToken?: string;
}

/** A request document for UpdateThingShadow. `null` deletes (a key, a section, or all state). */
export interface UpdateRequest {
  readonly state: { readonly desired?: JsonObject | null; readonly reported?: JsonObject | null } | null;
  /** At most 64 bytes; echoed in the response. */
  readonly clientToken?: string;
  /** When set, the update is rejected with 409 unless it equals the shadow's current version. */
  readonly version?: number;
}

/** One page of ListNamedShadowsForThing. */
export interface NamedShadowList {
  readonly results: string[];
  /** Present when more pages follow. */
  readonly nextToken?: string;
  readonly timestamp: number;
}
