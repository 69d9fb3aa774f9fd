/**
 * The simulator's public surface: the simulated HAL of one wake ({@link createSimHal}), a device
 * that runs the shipped firmware wake after wake ({@link SimDevice}), fleets in one thread or in
 * worker threads, and the pieces tests and the CLI use. See the README, "The simulator".
 */
export { createSimHal, cutPower } from './sim-hal.js';
export type { SimHal, SimWakeStats } from './sim-hal.js';
export { SIM_HAL_DEFAULTS, resolveSimHalOptions } from './options.js';
export type { SimHalOptions } from './options.js';
export { SimDevice, RUNNER_DEFAULTS } from './runner.js';
export type { RunOptions, SimDeviceOptions, WakeRecord } from './runner.js';
export { defaultAppPath, loadAppBundle, projectRoot } from './app-bundle.js';
export type { AppBundle, AppModule } from './app-bundle.js';
export { runFleet } from './fleet.js';
export type { FleetOptions } from './fleet.js';
export { runFleetThreads, workerScript } from './fleet-threads.js';
export type { ThreadDevice, ThreadedFleetOptions } from './fleet-threads.js';
export { FleetStats, failureCode, quantile } from './fleet-stats.js';
export type { FleetSnapshot } from './fleet-stats.js';
export type { HalCall, HalInterceptor, HalPart } from './guard.js';
export { WakeLife } from './life.js';
export type { WakeEnd } from './life.js';
export { MACHINE_FILES, flashEntryName, flashNameOf } from './device-dir.js';
export { openMachineStore } from './machine-store.js';
export type { MachineStore, MachineWrites } from './machine-store.js';
export { readBoardState } from './board-state.js';
export type { BoardState } from './board-state.js';
export { deviceIdOf } from './device.js';
export { isSimLogLevel } from './log.js';
export type { SimLogLevel } from './log.js';
export { nodeCrypto } from './crypto.js';
export { createSimHttp } from './http.js';
export { createSimUdp } from './udp.js';
